"""The stage model and casework configuration shipped with attendwise (TOML files beside this)."""
