"""The shell: settings → tenants → runtime → commands (config, tenants, runtime, cli, demo, serving)."""
