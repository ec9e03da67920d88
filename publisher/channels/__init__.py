"""The channels: one module (or package) per channel type, each registered as an entry point."""
