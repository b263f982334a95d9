"""The client's CURVE key pair: loaded from, or created in, a key folder with owner-only files.

The files have the format of a LabHub runtime's conf/keys/ (a '#' comment line, then the Z85 key), so a
runtime's key folder can be used as well: labhub.key (secret, rw-------) and labhub.pub (rw-r--r--).
"""
import os

import zmq

from .errors import AuthFailed, InvalidArgument

SECRET_FILE = "labhub.key"
PUBLIC_FILE = "labhub.pub"
Z85 = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")


def check_key(key, what="key"):
    """A 40-character Z85 key as str; InvalidArgument (rule key.length / key.alphabet) otherwise."""
    if isinstance(key, bytes):
        key = key.decode("ascii", "replace")
    if not isinstance(key, str) or len(key) != 40:
        raise InvalidArgument("%s must be 40 Z85 characters" % what, rule="key.length")
    if any(c not in Z85 for c in key):
        raise InvalidArgument("%s holds a character outside the Z85 alphabet" % what, rule="key.alphabet")
    return key


def read_key_file(path):
    """The one non-comment line of a LabHub key file."""
    with open(path, "r", encoding="ascii") as f:
        lines = [l.strip() for l in f if l.strip() and not l.strip().startswith("#")]
    if len(lines) != 1:
        raise InvalidArgument("%s must hold exactly one key line, found %d" % (path, len(lines)), rule="key-file.format")
    return check_key(lines[0], path)


def allow_line(public_key):
    """The exact console line that admits this key on the broker's runtime.

    Single quotes: Gogo expands $name inside double quotes, and '$' is a Z85 character."""
    return "hub:allow '%s'" % check_key(public_key)


class KeyPair:
    """A CURVE key pair (Z85 strings)."""

    def __init__(self, public, secret):
        self.public = check_key(public, "public key")
        self.secret = check_key(secret, "secret key")
        if zmq.curve_public(self.secret.encode()).decode() != self.public:
            raise InvalidArgument("the secret key does not belong to the public key", rule="key-pair.mismatch")

    @classmethod
    def generate(cls):
        public, secret = zmq.curve_keypair()
        return cls(public.decode(), secret.decode())

    @classmethod
    def load_or_create(cls, folder):
        """Loads folder/labhub.key and labhub.pub, or creates both (folder rwx------, secret rw-------)."""
        folder = os.fspath(folder)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        secret_path = os.path.join(folder, SECRET_FILE)
        public_path = os.path.join(folder, PUBLIC_FILE)
        if os.path.exists(secret_path):
            mode = os.stat(secret_path).st_mode & 0o777
            if mode & 0o077:
                raise AuthFailed("secret key file %s is readable by others (mode %o): chmod 600 it" % (secret_path, mode))
            secret = read_key_file(secret_path)
            public = zmq.curve_public(secret.encode()).decode()
            if os.path.exists(public_path):
                if read_key_file(public_path) != public:
                    raise InvalidArgument("%s does not hold the public key of %s" % (public_path, secret_path),
                                          rule="key-pair.mismatch")
            else:
                _write(public_path, "# LabHub CURVE public key (Z85). Give it to the peers that must admit this client.\n"
                       + public + "\n", 0o644)
            return cls(public, secret)
        if os.path.exists(public_path):
            raise InvalidArgument("%s exists but %s does not; restore it, or delete %s to generate a new pair"
                                  % (public_path, secret_path, public_path), rule="key-file.missing")
        pair = cls.generate()
        _write(secret_path, "# LabHub CURVE secret key (Z85). Keep this file private: owner-only (chmod 600).\n"
               + pair.secret + "\n", 0o600)
        _write(public_path, "# LabHub CURVE public key (Z85). Give it to the peers that must admit this client.\n"
               + pair.public + "\n", 0o644)
        return pair

    def allow_line(self):
        return allow_line(self.public)

    def apply(self, socket, server_key):
        """Makes socket a CURVE client of server_key (call before connect)."""
        socket.curve_publickey = self.public.encode()
        socket.curve_secretkey = self.secret.encode()
        socket.curve_serverkey = check_key(server_key, "server key").encode()

    def serve(self, socket):
        """Makes socket a CURVE server with this pair (call before bind)."""
        socket.curve_secretkey = self.secret.encode()
        socket.curve_publickey = self.public.encode()
        socket.curve_server = True


def _write(path, text, mode):
    """Written to a temporary file created with its final mode, then renamed (never briefly world-readable)."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, text.encode("ascii"))
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    os.replace(tmp, path)
