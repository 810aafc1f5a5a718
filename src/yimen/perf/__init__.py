"""Scale and speed: fill a database with realistic cases (`yimen generate`) and measure
what one server carries (`yimen bench`).

Not an app: it has no models and may use every app, like a command-line tool would.
"""
