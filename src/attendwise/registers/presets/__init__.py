"""The registers' shipped configuration: the national lists and the settings' defaults (``registers.toml``)."""
