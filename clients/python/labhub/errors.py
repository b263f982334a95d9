"""Typed exceptions: one class per LabHub error code (io.labhub.api.ErrorCode, docs/protocol.md section 4)."""


class LabHubError(Exception):
    """Base of every LabHub error. ``code`` is the wire error code, ``rule`` the broken rule (INVALID_ARGUMENT)."""

    code = "INTERNAL"

    def __init__(self, message, code=None, rule=None, reply=None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.rule = rule
        self.reply = reply


class InvalidMessage(LabHubError):
    code = "INVALID_MESSAGE"


class UnsupportedVersion(LabHubError):
    code = "UNSUPPORTED_VERSION"


class UnknownType(LabHubError):
    code = "UNKNOWN_TYPE"


class MessageTooLarge(LabHubError):
    code = "MESSAGE_TOO_LARGE"


class InvalidArgument(LabHubError, ValueError):
    code = "INVALID_ARGUMENT"


class ChannelNotFound(LabHubError, LookupError):
    code = "CHANNEL_NOT_FOUND"


class ChannelExists(LabHubError):
    code = "CHANNEL_EXISTS"


class ChannelReserved(LabHubError):
    code = "CHANNEL_RESERVED"


class NotOwner(LabHubError):
    code = "NOT_OWNER"


class UnknownClient(LabHubError):
    code = "UNKNOWN_CLIENT"


class KeyInUse(LabHubError):
    code = "KEY_IN_USE"


class QuotaExceeded(LabHubError):
    code = "QUOTA_EXCEEDED"


class Timeout(LabHubError, TimeoutError):
    code = "TIMEOUT"


class RemoteError(LabHubError):
    """The remote handler failed; ``remote_type`` is its exception class."""

    code = "REMOTE_ERROR"

    def __init__(self, message, code=None, remote_type=None, **kw):
        super().__init__(message, code=code, **kw)
        self.remote_type = remote_type


class ChannelClosed(LabHubError):
    code = "CHANNEL_CLOSED"


class TransportUnavailable(LabHubError):
    code = "TRANSPORT_UNAVAILABLE"


class BrokerUnavailable(LabHubError):
    code = "BROKER_UNAVAILABLE"


class AuthFailed(LabHubError):
    code = "AUTH_FAILED"


class SegmentInvalid(LabHubError):
    code = "SEGMENT_INVALID"


class SchemaMismatch(SegmentInvalid):
    """The segment's schema hash differs from the one computed from the broker's schema (rule schema.mismatch)."""

    code = "INVALID_ARGUMENT"

    def __init__(self, message, **kw):
        kw.setdefault("rule", "schema.mismatch")
        super().__init__(message, **kw)


class Busy(LabHubError):
    code = "BUSY"


class Internal(LabHubError):
    code = "INTERNAL"


BY_CODE = {c.code: c for c in (InvalidMessage, UnsupportedVersion, UnknownType, MessageTooLarge, InvalidArgument,
                               ChannelNotFound, ChannelExists, ChannelReserved, NotOwner, UnknownClient, KeyInUse,
                               QuotaExceeded, Timeout, RemoteError, ChannelClosed, TransportUnavailable,
                               BrokerUnavailable, AuthFailed, SegmentInvalid, Busy, Internal)}


def from_code(code, message, rule=None, reply=None, remote_type=None):
    """The exception for a wire error code; an unknown code becomes a RemoteError (as the Java client does)."""
    cls = BY_CODE.get(code)
    if cls is None:
        return RemoteError(message, code=code, remote_type=remote_type, rule=rule, reply=reply)
    if cls is RemoteError:
        return RemoteError(message, remote_type=remote_type, rule=rule, reply=reply)
    return cls(message, rule=rule, reply=reply)
