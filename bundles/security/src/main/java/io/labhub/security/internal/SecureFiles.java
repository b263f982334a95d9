package io.labhub.security.internal;

import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * File operations for key material: owner-only creation, atomic replacement, permission checks, and
 * bounded text reads.
 *
 * <p>Why the secret key is never readable by others, not even briefly: the temporary file is created
 * with its final owner-only mode passed to {@code open(O_CREAT|O_EXCL)} itself (a POSIX
 * {@link FileAttribute}, which the umask can only narrow), written, forced to disk, and then renamed
 * over the target. There is no window in which the file exists with a wider mode, and a reader sees
 * either the old complete file or the new complete file.
 */
public final class SecureFiles {

    /** Key files and allow-lists are small; anything larger is not one of ours. */
    public static final int MAX_TEXT_BYTES = 1 << 20;

    public static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> PUBLIC_READ = PosixFilePermissions.fromString("rw-r--r--");
    public static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private SecureFiles() {
    }

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Writes {@code text} to {@code target} atomically, the file having {@code mode} from its creation.
     *
     * @param ownerOnly on a non-POSIX file system (Windows), restricts the file's ACL to its owner
     */
    public static void writeAtomically(Path target, String text, Set<PosixFilePermission> mode, boolean ownerOnly)
            throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(
                ThreadLocalRandom.current().nextLong()));
        try {
            createFile(tmp, mode, ownerOnly);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Creates a new empty file whose mode is {@code mode} from the start (O_EXCL: fails if it exists). */
    public static void createFile(Path file, Set<PosixFilePermission> mode, boolean ownerOnly) throws IOException {
        if (posix()) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(mode));
            // The umask may have narrowed the mode (harmless for the secret key); make the public file's
            // mode exact so that peers can read it whatever the umask.
            Files.setPosixFilePermissions(file, mode);
        } else if (ownerOnly && Files.getFileStore(file.toAbsolutePath().getParent())
                .supportsFileAttributeView(AclFileAttributeView.class)) {
            Files.createFile(file, ownerOnlyAcl());
        } else {
            Files.createFile(file);
        }
    }

    /** Creates {@code dir} (and its parents); the last level is created owner-only (rwx------). */
    public static void createOwnerOnlyDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            if (posix()) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
                Files.setPosixFilePermissions(dir, OWNER_RWX);
            } else {
                Files.createDirectory(dir);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // Another process starting at the same moment created it first: fine if it is a directory.
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /**
     * Refuses a secret file that anyone but its owner may read or write (like OpenSSH does).
     *
     * @throws LabHubException {@link ErrorCode#AUTH_FAILED}, naming the file and its mode
     */
    public static void requireOwnerOnly(Path file) throws IOException {
        if (!posix()) {
            return; // ACLs on Windows: the file was created owner-only; nothing portable to check here
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (!java.util.Collections.disjoint(mode, GROUP_OR_OTHERS)) {
            throw new LabHubException(ErrorCode.AUTH_FAILED, "Refusing secret key file " + file
                    + ": its permissions are " + PosixFilePermissions.toString(mode)
                    + " but it must be accessible by its owner only (rw-------); fix with: chmod 600 " + file);
        }
    }

    /** @return whether group or others may write {@code file} (false when unknown) */
    public static boolean writableByOthers(Path file) {
        try {
            if (!posix()) {
                return false;
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            return mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads a small US-ASCII text file.
     *
     * @throws InvalidInputException (rule {@code key-file.format}) when it is too large or not ASCII text
     */
    public static String readAsciiText(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_TEXT_BYTES) {
            throw new InvalidInputException("key-file.format", file.toString(), "File " + file + " has "
                    + size + " bytes; a key file or allow-list has at most " + MAX_TEXT_BYTES);
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return StandardCharsets.US_ASCII.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("key-file.format", file.toString(), "File " + file
                    + " is not a text file of Z85 keys (it contains bytes that are not ASCII)");
        }
    }

    private static FileAttribute<List<AclEntry>> ownerOnlyAcl() throws IOException {
        UserPrincipal owner = FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        AclEntry entry = AclEntry.newBuilder()
                .setType(AclEntryType.ALLOW)
                .setPrincipal(owner)
                .setPermissions(EnumSet.allOf(AclEntryPermission.class))
                .build();
        List<AclEntry> acl = List.of(entry);
        return new FileAttribute<>() {
            @Override
            public String name() {
                return "acl:acl";
            }

            @Override
            public List<AclEntry> value() {
                return acl;
            }
        };
    }
}
