"""Channel schemas (docs/schemas.md): a flat record of typed fields, its layout string, hash and decoder.

Records decode zero-copy: with numpy a field is a view into the message or slot (an ndarray shaped by the
field's shape); without numpy a memoryview cast to the field's type (1-D; reshape it yourself).
"""
import hashlib
import json
import re
import struct

from .errors import InvalidArgument

try:
    import numpy as np
except ImportError:  # numpy is optional
    np = None

DTYPES = {  # name: (size, struct/memoryview format, numpy dtype)
    "u8": (1, "B", "<u1"), "i8": (1, "b", "<i1"), "u16": (2, "H", "<u2"), "i16": (2, "h", "<i2"),
    "u32": (4, "I", "<u4"), "i32": (4, "i", "<i4"), "u64": (8, "Q", "<u8"), "i64": (8, "q", "<i8"),
    "f32": (4, "f", "<f4"), "f64": (8, "d", "<f8"), "bool": (1, "?", "?"), "bytes": (None, None, None),
    "utf8": (None, None, None)}
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
ATTR_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
MAX_RECORD = 2 ** 31 - 1
FIELD_KEYS = {"name", "dtype", "length", "shape", "unit", "offset"}
SCHEMA_KEYS = {"fields", "size", "attributes", "reply"}


def _int(v, rule, what):
    if isinstance(v, bool) or not isinstance(v, int):
        raise InvalidArgument("%s must be an integer" % what, rule=rule)
    return v


class Field:
    __slots__ = ("name", "dtype", "length", "shape", "unit", "offset", "count", "nbytes", "open")

    def __init__(self, name, dtype, length, shape, unit, offset, count, nbytes, open_):
        self.name, self.dtype, self.length, self.shape, self.unit = name, dtype, length, shape, unit
        self.offset, self.count, self.nbytes, self.open = offset, count, nbytes, open_

    def __repr__(self):
        return "Field(%s %s%s @%d)" % (self.name, self.dtype, list(self.shape) if self.shape else "", self.offset)


class Schema:
    """A validated schema. ``size`` is the record size (the minimum when the last field is open)."""

    def __init__(self, obj, _reply_allowed=True):
        if isinstance(obj, (str, bytes)):
            if len(obj) > 16384:
                raise InvalidArgument("a schema is at most 16 KiB of JSON", rule="schema.tooLarge")
            obj = json.loads(obj)
        if not isinstance(obj, dict):
            raise InvalidArgument("a schema is a JSON object", rule="schema.fields")
        if len(json.dumps(obj, separators=(",", ":"))) > 16384:
            raise InvalidArgument("a schema is at most 16 KiB of JSON", rule="schema.tooLarge")
        for k in obj:
            if k not in SCHEMA_KEYS:
                raise InvalidArgument("unknown schema key %r" % k, rule="schema.unknownKey")
        fields = obj.get("fields")
        if not isinstance(fields, list) or not fields or len(fields) > 256:
            raise InvalidArgument("fields must be a list of 1..256 fields", rule="schema.fields")
        self.fields = []
        names = set()
        end = 0
        for i, f in enumerate(fields):
            if not isinstance(f, dict):
                raise InvalidArgument("field %d is not an object" % i, rule="schema.depth")
            for k in f:
                if k not in FIELD_KEYS:
                    raise InvalidArgument("unknown field key %r" % k, rule="schema.unknownKey")
            name = f.get("name")
            if not isinstance(name, str) or not NAME.match(name) or name in names:
                raise InvalidArgument("field name %r is not a unique identifier" % (name,), rule="schema.name")
            names.add(name)
            dtype = f.get("dtype")
            if dtype not in DTYPES:
                raise InvalidArgument("field %s: unknown dtype %r" % (name, dtype), rule="schema.dtype")
            length = f.get("length")
            open_ = False
            if dtype in ("bytes", "utf8"):
                if length is None:
                    if i != len(fields) - 1:
                        raise InvalidArgument("field %s: only the last field may omit length" % name, rule="schema.length")
                    open_ = True
                    size = 0
                else:
                    size = _int(length, "schema.length", "length")
                    if not 1 <= size <= 65536:
                        raise InvalidArgument("field %s: length must be 1..65536" % name, rule="schema.length")
            else:
                if length is not None:
                    raise InvalidArgument("field %s: length is for bytes/utf8 only" % name, rule="schema.length")
                size = DTYPES[dtype][0]
            shape = f.get("shape")
            count = 1
            if shape is not None:
                if not isinstance(shape, list) or not 1 <= len(shape) <= 8:
                    raise InvalidArgument("field %s: shape must hold 1..8 dimensions" % name, rule="schema.shape")
                for d in shape:
                    if not 1 <= _int(d, "schema.shape", "a dimension") <= MAX_RECORD:
                        raise InvalidArgument("field %s: dimension %r out of range" % (name, d), rule="schema.shape")
                    count *= d
                    if count > MAX_RECORD:
                        raise InvalidArgument("field %s: too many elements" % name, rule="schema.shape")
                if open_:
                    raise InvalidArgument("field %s: an open-length field has no shape" % name, rule="schema.shape")
                shape = tuple(shape)
            unit = f.get("unit")
            if unit is not None and (not isinstance(unit, str) or not 1 <= len(unit) <= 32
                                     or any(not 32 <= ord(c) < 127 for c in unit)):
                raise InvalidArgument("field %s: unit must be 1..32 printable ASCII characters" % name, rule="schema.unit")
            offset = f.get("offset")
            if offset is None:
                offset = end
            elif _int(offset, "schema.offset", "offset") < end:
                raise InvalidArgument("field %s: offset %d overlaps the previous field (ends at %d)" % (name, offset, end),
                                      rule="schema.offset")
            nbytes = size * count
            end = offset + nbytes
            if end > MAX_RECORD:
                raise InvalidArgument("field %s: the record exceeds 2^31-1 bytes" % name, rule="schema.size")
            self.fields.append(Field(name, dtype, length, shape, unit, offset, count, nbytes, open_))
        size = obj.get("size", end)
        if _int(size, "schema.size", "size") < end or size > MAX_RECORD:
            raise InvalidArgument("size %r is below the end of the last field (%d)" % (size, end), rule="schema.size")
        self.size = size
        self.open = self.fields[-1].open
        attributes = obj.get("attributes") or {}
        if not isinstance(attributes, dict) or len(attributes) > 64:
            raise InvalidArgument("attributes: at most 64 entries", rule="schema.attributes")
        for k, v in attributes.items():
            if not ATTR_KEY.match(k) or isinstance(v, (dict, list)) or v is None \
                    or (isinstance(v, str) and len(v) > 4096):
                raise InvalidArgument("attribute %r is not allowed" % k, rule="schema.attributes")
        self.attributes = attributes
        reply = obj.get("reply")
        if reply is not None and not _reply_allowed:
            raise InvalidArgument("a reply schema has no reply", rule="schema.depth")
        self.reply = Schema(reply, _reply_allowed=False) if reply is not None else None
        self.json = {k: v for k, v in obj.items()}
        self._dtype = None

    @classmethod
    def of(cls, obj):
        """A Schema from a Schema, a dict or JSON text; None stays None."""
        if obj is None or isinstance(obj, Schema):
            return obj
        return cls(obj)

    def layout(self):
        """The language-independent layout string whose SHA-256 is the schemaHash."""
        parts = ["size=%d" % self.size]
        for f in self.fields:
            p = ";%s:%s" % (f.name, f.dtype)
            if f.dtype in ("bytes", "utf8"):
                p += "*" if f.open else "*%d" % f.length
            if f.shape:
                p += "[" + ",".join(str(d) for d in f.shape) + "]"
            parts.append(p + "@%d" % f.offset)
        return "".join(parts)

    def hash(self):
        return hashlib.sha256(self.layout().encode("utf-8")).hexdigest()

    def to_json(self):
        return json.dumps(self.json, separators=(",", ":"))

    # ---- decoding and encoding ----

    def dtype(self):
        """The numpy structured dtype (fixed fields; an open last field is left out)."""
        if np is None:
            raise ImportError("numpy is not installed (Debian: python3-numpy)")
        if self._dtype is None:
            names, formats, offsets = [], [], []
            for f in self.fields:
                if f.open:
                    continue
                base = DTYPES[f.dtype][2] if f.length is None else ("S%d" % f.length)
                names.append(f.name)
                formats.append((base, f.shape) if f.shape else base)
                offsets.append(f.offset)
            self._dtype = np.dtype({"names": names, "formats": formats, "offsets": offsets,
                                    "itemsize": self.size})
        return self._dtype

    def check_length(self, n):
        """InvalidArgument (rule schema.size) unless n bytes is a message of this schema."""
        if n < self.size or (n != self.size and not self.open):
            raise InvalidArgument("a message of this schema has %s%d bytes, got %d"
                                  % ("at least " if self.open else "", self.size, n), rule="schema.size")

    def decode(self, buf):
        """A Record over buf (zero copy)."""
        self.check_length(len(buf))
        return Record(self, buf)

    def encode(self, values=None, **kw):
        """A bytearray of this schema from a dict (missing fields are zero); an open last field takes the rest."""
        values = dict(values or {}, **kw)
        tail = b""
        if self.open:
            t = values.get(self.fields[-1].name, b"")
            tail = t.encode("utf-8") if isinstance(t, str) else bytes(t)
        out = bytearray(self.size + len(tail))
        self.write_into(memoryview(out), values)
        return out

    def write_into(self, mv, values):
        """Writes the fields given in values into mv (a writable buffer of at least size bytes)."""
        names = {f.name: f for f in self.fields}
        for k in values:
            if k not in names:
                raise InvalidArgument("no field %r in this schema" % k, rule="schema.name")
        for f in self.fields:
            if f.name not in values:
                continue
            v = values[f.name]
            if f.dtype in ("bytes", "utf8"):
                b = v.encode("utf-8") if isinstance(v, str) else bytes(v)
                if f.open:
                    mv[f.offset:f.offset + len(b)] = b
                    continue
                if len(b) > f.nbytes:
                    raise InvalidArgument("field %s holds %d bytes, got %d" % (f.name, f.nbytes, len(b)), rule="schema.length")
                mv[f.offset:f.offset + len(b)] = b
                continue
            fmt = DTYPES[f.dtype][1]
            if f.count == 1 and not f.shape:
                struct.pack_into("<" + fmt, mv, f.offset, v)
            elif np is not None:
                a = np.asarray(v, dtype=DTYPES[f.dtype][2]).reshape(-1)
                if a.size != f.count:
                    raise InvalidArgument("field %s has %d elements, got %d" % (f.name, f.count, a.size), rule="schema.shape")
                mv[f.offset:f.offset + f.nbytes] = a.tobytes()
            else:
                seq = list(v)
                if len(seq) != f.count:
                    raise InvalidArgument("field %s has %d elements, got %d" % (f.name, f.count, len(seq)), rule="schema.shape")
                struct.pack_into("<%d%s" % (f.count, fmt), mv, f.offset, *seq)


class Record:
    """One decoded message or slot: rec["pixels"] / rec.pixels is a zero-copy view (numpy: shaped ndarray);
    scalars are Python numbers, utf8 is str, bytes is bytes. Valid as long as the buffer is (for shm: until
    the next frame)."""

    __slots__ = ("schema", "buffer", "_arr")

    def __init__(self, schema, buffer):
        self.schema = schema
        self.buffer = buffer
        self._arr = None

    def __getitem__(self, name):
        for f in self.schema.fields:
            if f.name == name:
                return self._field(f)
        raise KeyError(name)

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def keys(self):
        return [f.name for f in self.schema.fields]

    def as_dict(self):
        return {f.name: self._field(f) for f in self.schema.fields}

    def array(self):
        """The whole record as a numpy structured scalar array of shape () (a view)."""
        if self._arr is None:
            self._arr = np.frombuffer(self.buffer, dtype=self.schema.dtype(), count=1).reshape(())
        return self._arr

    def _field(self, f):
        mv = memoryview(self.buffer)
        if f.open:
            raw = bytes(mv[f.offset:])
            return raw.decode("utf-8", "replace") if f.dtype == "utf8" else raw
        if f.dtype in ("bytes", "utf8"):
            if f.shape is None:
                raw = bytes(mv[f.offset:f.offset + f.nbytes])
                return raw.rstrip(b"\0").decode("utf-8", "replace") if f.dtype == "utf8" else raw
            if np is not None:
                return self.array()[f.name]
            return mv[f.offset:f.offset + f.nbytes]
        if f.shape is None:
            v = struct.unpack_from("<" + DTYPES[f.dtype][1], mv, f.offset)[0]
            return v
        if np is not None:
            return np.frombuffer(self.buffer, dtype=DTYPES[f.dtype][2], count=f.count, offset=f.offset).reshape(f.shape)
        return mv[f.offset:f.offset + f.nbytes].cast(DTYPES[f.dtype][1])

    def __repr__(self):
        return "Record(%s)" % ", ".join("%s=%s" % (f.name, "<%s%s>" % (f.dtype, list(f.shape)) if f.shape else self._field(f))
                                         for f in self.schema.fields)
