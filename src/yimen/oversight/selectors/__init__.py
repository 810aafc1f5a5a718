"""Every read of oversight, one module per area."""
