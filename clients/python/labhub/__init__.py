"""LabHub for Python: discover, consume and produce LabHub channels (docs/python.md)."""
from .client import Client
from .errors import *  # noqa: F401,F403 (the typed exceptions are part of the API)
from .errors import LabHubError, SchemaMismatch
from .keys import KeyPair, allow_line
from .schema import Record, Schema

__version__ = "0.1.0"
__all__ = ["Client", "KeyPair", "Schema", "Record", "LabHubError", "SchemaMismatch", "allow_line"]
