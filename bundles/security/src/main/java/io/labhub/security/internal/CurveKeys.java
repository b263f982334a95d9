package io.labhub.security.internal;

import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.crypto.Nacl;
import io.labhub.security.CurveSecurity;
import io.labhub.security.CurveKeyPair;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * CURVE key pairs and their files.
 *
 * <p>Key file format: US-ASCII text holding exactly one Z85 key (40 characters) on a line of its own;
 * blank lines and lines starting with {@code #} are comments. A Z85 CURVE key can never start with
 * {@code #} (that character encodes a value above 2^32-1 in a key's first position), so the rule is
 * unambiguous. The secret key file must be accessible by its owner only (mode 600 on POSIX systems);
 * {@link #load} refuses it otherwise, as OpenSSH does.
 */
public final class CurveKeys {

    /** Name of the secret key file inside a keys directory. */
    public static final String SECRET_KEY_FILE = "labhub.key";
    /** Name of the public key file inside a keys directory. */
    public static final String PUBLIC_KEY_FILE = "labhub.pub";

    /**
     * Handshake time limit, in milliseconds, that {@link #secureClient} and
     * {@link CurveSecurity#secureClient} give every client socket. JeroMQ 0.6.0 has a race on the
     * connecting side (jeromq PR #1022): a few percent of fresh TCP connections, more under CPU load, never
     * send their ZMTP greeting and sit idle until the handshake timer fires, 30 s by default. With this
     * limit such a connection is dropped and reconnected within two seconds. A CURVE handshake takes a
     * few milliseconds.
     */
    public static final int CLIENT_HANDSHAKE_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(CurveKeys.class);
    private static final String LOCK_FILE = ".labhub-keys.lock";
    private static final Object FIRST_START = new Object();

    private CurveKeys() {
    }

    /** @return a fresh key pair from a {@link java.security.SecureRandom} (stored nowhere) */
    public static CurveKeyPair generate() {
        ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
        return new CurveKeyPair(pair.publicKey, pair.secretKey);
    }

    /**
     * Computes the public key that belongs to a secret key.
     *
     * @throws InvalidInputException when {@code secretKey} is not a valid Z85 key (the message never
     *                               quotes it)
     */
    public static String publicKeyOf(String secretKey) {
        Z85Key.Problem problem = Z85Key.check(secretKey);
        if (problem != null) {
            throw new InvalidInputException(problem.rule(), "<secret>",
                    "Invalid secret key: " + problem.description());
        }
        byte[] pub = new byte[Z85Key.BYTES];
        Nacl.scalarmultBase(pub, ZMQ.Curve.z85Decode(secretKey));
        return Z85Key.encode(pub);
    }

    /**
     * Loads a key pair and checks that its halves belong together.
     *
     * @throws LabHubException {@link ErrorCode#AUTH_FAILED} when group or others may access the secret
     *                         key file; {@link InvalidInputException} when a file is missing, empty,
     *                         truncated, garbage, holds several keys, or the halves do not match;
     *                         {@link ErrorCode#INTERNAL} on an I/O failure
     */
    public static CurveKeyPair load(Path publicKeyFile, Path secretKeyFile) {
        String secret = readSecretKey(secretKeyFile);
        String pub = readKeyFile(publicKeyFile, false);
        if (!publicKeyOf(secret).equals(pub)) {
            throw new InvalidInputException("key-pair.mismatch", publicKeyFile.toString(), "Public key file "
                    + publicKeyFile + " does not hold the public key of secret key file " + secretKeyFile);
        }
        return new CurveKeyPair(pub, secret);
    }

    /**
     * Saves a key pair: the secret key file owner-only (rw-------) from the moment it exists, the public
     * key file rw-r--r--; each replaced atomically. The secret key is written first.
     *
     * @throws InvalidInputException when the pair is invalid or its halves do not match
     */
    public static void save(CurveKeyPair keys, Path publicKeyFile, Path secretKeyFile) {
        Objects.requireNonNull(keys, "keys");
        Z85Key.require(keys.publicKey(), "public key");
        if (!publicKeyOf(keys.secretKey()).equals(keys.publicKey())) {
            throw new InvalidInputException("key-pair.mismatch", keys.publicKey(),
                    "The secret key does not belong to public key " + keys.publicKey());
        }
        try {
            SecureFiles.writeAtomically(secretKeyFile,
                    "# LabHub CURVE secret key (Z85). Keep this file private: owner-only (chmod 600).\n"
                            + keys.secretKey() + "\n",
                    SecureFiles.OWNER_RW, true);
            SecureFiles.writeAtomically(publicKeyFile,
                    "# LabHub CURVE public key (Z85). Give it to the peers that must admit this runtime.\n"
                            + keys.publicKey() + "\n",
                    SecureFiles.PUBLIC_READ, false);
        } catch (IOException e) {
            throw new LabHubException(ErrorCode.INTERNAL, "Cannot save key pair to " + secretKeyFile + " and "
                    + publicKeyFile + ": " + e, e);
        }
    }

    /**
     * Loads the pair stored in {@code dir} ({@value #SECRET_KEY_FILE} and {@value #PUBLIC_KEY_FILE}), or
     * generates and saves one on first use. Creates {@code dir} owner-only (rwx------) when absent. A
     * missing public key file is recreated from the secret key. Safe against several processes starting
     * at once (a lock file in {@code dir}).
     *
     * @throws InvalidInputException when the public key file exists without its secret key file (delete
     *                               it to generate a new pair), or a file is malformed
     */
    public static CurveKeyPair loadOrCreate(Path dir) {
        Path secretFile = dir.resolve(SECRET_KEY_FILE);
        Path publicFile = dir.resolve(PUBLIC_KEY_FILE);
        // The file lock keeps other processes out; FileChannel.lock is per JVM, so threads of this
        // JVM are serialised by the monitor (a second lock() from this JVM would throw instead of waiting).
        synchronized (FIRST_START) {
            return loadOrCreateLocked(dir, secretFile, publicFile);
        }
    }

    private static CurveKeyPair loadOrCreateLocked(Path dir, Path secretFile, Path publicFile) {
        try {
            SecureFiles.createOwnerOnlyDirectory(dir);
            try (FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                boolean hasSecret = Files.exists(secretFile);
                boolean hasPublic = Files.exists(publicFile);
                if (hasSecret && hasPublic) {
                    return load(publicFile, secretFile);
                }
                if (hasSecret) {
                    String secret = readSecretKey(secretFile);
                    CurveKeyPair keys = new CurveKeyPair(publicKeyOf(secret), secret);
                    save(keys, publicFile, secretFile);
                    LOG.info("Recreated missing public key file {} from {}", publicFile, secretFile);
                    return keys;
                }
                if (hasPublic) {
                    throw new InvalidInputException("key-file.missing", secretFile.toString(), "Public key file "
                            + publicFile + " exists but secret key file " + secretFile
                            + " does not; restore it, or delete " + publicFile + " to generate a new key pair");
                }
                CurveKeyPair keys = generate();
                save(keys, publicFile, secretFile);
                LOG.info("Generated this runtime's CURVE key pair in {}; public key {}", dir, keys.publicKey());
                return keys;
            }
        } catch (IOException e) {
            throw new LabHubException(ErrorCode.INTERNAL, "Cannot load or create the key pair in " + dir + ": " + e,
                    e);
        }
    }

    /**
     * Makes {@code socket} a CURVE client with {@code clientKeys}, of a server whose public key is
     * {@code serverPublicKey}; call before {@code connect}. For peers that are not this runtime (tests,
     * tools); the runtime's own sockets use {@link CurveSecurity#secureClient}. Also sets the handshake
     * time limit to {@link #CLIENT_HANDSHAKE_MS}.
     *
     * @throws InvalidInputException when a key is invalid, before the socket is touched
     */
    public static void secureClient(ZMQ.Socket socket, CurveKeyPair clientKeys, String serverPublicKey) {
        byte[] server = Z85Key.decode(serverPublicKey, "server public key");
        byte[] pub = Z85Key.decode(clientKeys.publicKey(), "client public key");
        Z85Key.Problem problem = Z85Key.check(clientKeys.secretKey());
        if (problem != null) {
            throw new InvalidInputException(problem.rule(), "<secret>", "Invalid client secret key: "
                    + problem.description());
        }
        byte[] secret = ZMQ.Curve.z85Decode(clientKeys.secretKey());
        Objects.requireNonNull(socket, "socket");
        socket.setHandshakeIvl(CLIENT_HANDSHAKE_MS);
        socket.setCurveServerKey(server);
        socket.setCurvePublicKey(pub);
        socket.setCurveSecretKey(secret);
    }

    private static String readSecretKey(Path secretKeyFile) {
        try {
            SecureFiles.requireOwnerOnly(secretKeyFile);
        } catch (NoSuchFileException e) {
            throw missing(secretKeyFile);
        } catch (IOException e) {
            throw new LabHubException(ErrorCode.INTERNAL, "Cannot read key file " + secretKeyFile + ": " + e, e);
        }
        return readKeyFile(secretKeyFile, true);
    }

    private static String readKeyFile(Path file, boolean secret) {
        String text;
        try {
            text = SecureFiles.readAsciiText(file);
        } catch (NoSuchFileException e) {
            throw missing(file);
        } catch (IOException e) {
            throw new LabHubException(ErrorCode.INTERNAL, "Cannot read key file " + file + ": " + e, e);
        }
        List<Integer> keyLines = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                keyLines.add(i + 1);
                keys.add(line);
            }
        }
        String kind = secret ? "Secret key file " : "Public key file ";
        if (keys.isEmpty()) {
            throw new InvalidInputException("key-file.empty", file.toString(), kind + file
                    + " holds no key; expected one Z85 key of " + Z85Key.LENGTH + " characters on a line");
        }
        if (keys.size() > 1) {
            throw new InvalidInputException("key-file.format", file.toString(), kind + file + " holds "
                    + keys.size() + " keys (lines " + keyLines + "); expected exactly one");
        }
        Z85Key.Problem problem = Z85Key.check(keys.get(0));
        if (problem != null) {
            throw new InvalidInputException(problem.rule(), file.toString(), kind + file + ", line "
                    + keyLines.get(0) + ": not a valid key (truncated or corrupt?): " + problem.description());
        }
        return keys.get(0);
    }

    private static InvalidInputException missing(Path file) {
        return new InvalidInputException("key-file.missing", file.toString(), "Key file " + file + " does not exist");
    }
}
