"""Every write of oversight, one module per area."""
