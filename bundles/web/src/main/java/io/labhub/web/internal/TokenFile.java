package io.labhub.web.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Reads the console's token from a file that only its owner may read (the rule of the runtime's key files). */
final class TokenFile {

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** Shortest token accepted: a guessable token would be no credential. */
    static final int MIN_LENGTH = 16;

    private TokenFile() {
    }

    /**
     * @return the token (the file's content, trimmed)
     * @throws IllegalStateException naming the file and the setting when it is missing, empty, short, or readable
     *                               by group or others
     */
    static String read(Path file) {
        return read(file, "tokenFile", MIN_LENGTH);
    }

    /**
     * A secret held in an owner-only file: the token, or the keystore's password ({@code keystorePasswordFile}).
     *
     * @param setting the configuration key that named the file, for the messages
     * @return the file's content, trimmed
     * @throws IllegalStateException naming the file and the setting when it is missing, shorter than
     *                               {@code minLength}, not printable ASCII, or readable by group or others
     */
    static String read(Path file, String setting, int minLength) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("io.labhub.web " + setting + " " + file + " does not exist or is not a file");
        }
        try {
            if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                perms.retainAll(OTHERS);
                if (!perms.isEmpty()) {
                    throw new IllegalStateException("io.labhub.web " + setting + " " + file + " is accessible to group or others "
                            + perms + ": it must be owner-only (chmod 600 " + file + ")");
                }
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.length() < minLength || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new IllegalStateException("io.labhub.web " + setting + " " + file + " must hold one secret of at least "
                        + minLength + " printable ASCII characters");
            }
            return token;
        } catch (IOException e) {
            throw new IllegalStateException("io.labhub.web " + setting + " " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
