"""publisher: Markdown stories in, every channel of a police bureau's publicity out."""

__version__ = "0.1.0"
