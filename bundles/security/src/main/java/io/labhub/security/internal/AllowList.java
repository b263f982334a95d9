package io.labhub.security.internal;

import io.labhub.api.ErrorCode;
import io.labhub.api.InvalidInputException;
import io.labhub.api.LabHubException;
import io.labhub.api.text.SafeText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allow-list of client public keys: a text file with one Z85 key per line; blank lines and lines
 * starting with {@code #} are ignored; an invalid line is logged once (with its line number) and skipped.
 *
 * <p>Change detection: {@link #refreshIfDue()} is cheap and is called by the ZAP handler thread every
 * time it wakes up (at least every {@value #CHECK_INTERVAL_MS} ms). It compares the file's modification
 * time, size and file key (inode) with the last load, and re-reads the file when one differs. Polling
 * was chosen over a {@code WatchService} because it needs no extra thread (the ZAP thread wakes up
 * anyway), it sees a file replaced by rename, a file deleted and re-created, a directory that does not
 * exist yet, and network file systems, where a {@code WatchService} silently misses events or falls
 * back to slow polling. A file modified twice within the file system's timestamp granularity with the
 * same size would fool a pure mtime+size check, so while the last load is "racily clean" (the file was
 * modified within {@value #RACY_WINDOW_MS} ms of being read, as git does for its index) the content is
 * also compared.
 *
 * <p>Threading: {@link #contains} and {@link #keys} read an immutable snapshot and never block;
 * {@link #refresh}, {@link #refreshIfDue} and {@link #add} are synchronized.
 */
public final class AllowList {

    /** How often {@link #refreshIfDue()} looks at the file, in milliseconds. */
    public static final long CHECK_INTERVAL_MS = 500;
    /** A file modified this close to its last read is re-read by content, in milliseconds. */
    public static final long RACY_WINDOW_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(AllowList.class);
    private static final String HEADER = """
            # LabHub allow-list: the CURVE public keys (Z85, one per line) of the clients this runtime admits.
            # Lines starting with '#' are comments. Changes are picked up without a restart.
            """;

    private static final int MAX_LOGGED_INVALID = 1_000;

    private final Path file;
    private final Set<String> loggedInvalidLines = new HashSet<>();
    private volatile Set<String> keys = Set.of();

    private long lastCheckNanos;
    private boolean loadedOnce;
    private FileTime lastModified;
    private long lastSize = -1;
    private Object lastFileKey;
    private byte[] lastContent;
    private boolean racy;
    private boolean missingLogged;

    /** Opens the allow-list stored in {@code file} and loads it now (a missing file admits nobody). */
    public AllowList(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        refresh();
    }

    /** @return the file this list is read from */
    public Path file() {
        return file;
    }

    /** @return whether {@code publicKey} is in the list as last loaded (false for an invalid key) */
    public boolean contains(String publicKey) {
        return publicKey != null && keys.contains(publicKey);
    }

    /** @return the keys as last loaded, in file order */
    public Set<String> keys() {
        return keys;
    }

    /** Calls {@link #refresh()} if the last look at the file is {@value #CHECK_INTERVAL_MS} ms old. */
    public synchronized boolean refreshIfDue() {
        long now = System.nanoTime();
        if (now - lastCheckNanos < CHECK_INTERVAL_MS * 1_000_000L) {
            return false;
        }
        return refresh();
    }

    /**
     * Re-reads the file if it changed since the last load.
     *
     * @return whether the set of keys was reloaded
     */
    public synchronized boolean refresh() {
        lastCheckNanos = System.nanoTime();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return markMissing();
        } catch (IOException e) {
            LOG.warn("Cannot read allow-list {}: {}; keeping the {} keys loaded before", file, e, keys.size());
            return false;
        }
        boolean sameStat = loadedOnce && attrs.lastModifiedTime().equals(lastModified)
                && attrs.size() == lastSize && Objects.equals(attrs.fileKey(), lastFileKey);
        if (sameStat && !racy) {
            return false;
        }
        byte[] content;
        try {
            if (attrs.size() > SecureFiles.MAX_TEXT_BYTES) {
                LOG.warn("Allow-list {} has {} bytes, more than {}: ignored; keeping the {} keys loaded before",
                        file, attrs.size(), SecureFiles.MAX_TEXT_BYTES, keys.size());
                remember(attrs, lastContent);
                return false;
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return markMissing();
        } catch (IOException e) {
            LOG.warn("Cannot read allow-list {}: {}; keeping the {} keys loaded before", file, e, keys.size());
            return false;
        }
        boolean sameContent = loadedOnce && Arrays.equals(content, lastContent);
        remember(attrs, content);
        if (sameContent) {
            return false;
        }
        keys = parse(content);
        missingLogged = false;
        if (SecureFiles.writableByOthers(file)) {
            LOG.warn("Allow-list {} is writable by group or others: anyone who can write it can admit a client",
                    file);
        }
        LOG.info("Allow-list {} loaded: {} key(s)", file, keys.size());
        return true;
    }

    /**
     * Adds {@code publicKey} to the file (appending a line; creating the file owner-only with a header
     * comment when absent) unless it is already there, and to the loaded set at once.
     *
     * @return whether the key was added (false when it was already listed)
     * @throws InvalidInputException when the key is not a valid Z85 key, before the file is touched
     */
    public synchronized boolean add(String publicKey) {
        Z85Key.require(publicKey, "public key");
        refresh();
        if (keys.contains(publicKey)) {
            return false;
        }
        try {
            if (!Files.exists(file)) {
                Path parent = file.getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                SecureFiles.createFile(file, SecureFiles.OWNER_RW, true);
                Files.writeString(file, HEADER, StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
            }
            String separator = endsWithNewline() ? "" : "\n";
            Files.writeString(file, separator + publicKey + "\n", StandardCharsets.US_ASCII,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new LabHubException(ErrorCode.INTERNAL, "Cannot add a key to allow-list " + file + ": " + e, e);
        }
        lastContent = null; // force a re-read even if the timestamp did not move
        loadedOnce = false;
        refresh();
        return true;
    }

    private boolean endsWithNewline() throws IOException {
        byte[] content = Files.readAllBytes(file);
        return content.length == 0 || content[content.length - 1] == '\n';
    }

    private void remember(BasicFileAttributes attrs, byte[] content) {
        loadedOnce = true;
        lastModified = attrs.lastModifiedTime();
        lastSize = attrs.size();
        lastFileKey = attrs.fileKey();
        lastContent = content;
        racy = System.currentTimeMillis() - attrs.lastModifiedTime().toMillis() < RACY_WINDOW_MS;
    }

    private boolean markMissing() {
        boolean changed = !keys.isEmpty();
        keys = Set.of();
        loadedOnce = false;
        lastContent = null;
        if (!missingLogged) {
            if (changed) {
                LOG.warn("Allow-list {} was removed: no client is admitted until it exists again", file);
            } else {
                LOG.info("Allow-list {} does not exist (yet): no client is admitted until it does", file);
            }
            missingLogged = true;
        }
        return changed;
    }

    private Set<String> parse(byte[] content) {
        String[] lines = new String(content, StandardCharsets.ISO_8859_1).split("\n", -1);
        Set<String> parsed = new LinkedHashSet<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Z85Key.Problem problem = Z85Key.check(line);
            if (problem != null) {
                if (!loggedInvalidLines.add(line) || loggedInvalidLines.size() > MAX_LOGGED_INVALID) {
                    continue; // each bad line is logged once, not at every reload
                }
                LOG.warn("Allow-list {}, line {}: skipped '{}': {} ({})", file, i + 1, SafeText.display(line),
                        problem.description(), problem.rule());
            } else {
                parsed.add(line);
            }
        }
        return Collections.unmodifiableSet(parsed);
    }
}
