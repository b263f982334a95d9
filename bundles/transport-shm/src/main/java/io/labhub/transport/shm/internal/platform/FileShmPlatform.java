package io.labhub.transport.shm.internal.platform;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;

/**
 * Segments as files in a directory ({@code /dev/shm} on Linux: tmpfs, so the "file" is plain shared
 * memory), mapped with {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}. Portable; its
 * {@link #await} polls with a growing park (10 us to 1 ms) because plain Java has no cross-process
 * blocking primitive. The Linux fragment subclasses it and replaces waiting with a futex.
 */
public class FileShmPlatform implements ShmPlatform {

    private static final long MIN_PARK_NANOS = 10_000;
    private static final long MAX_PARK_NANOS = 1_000_000;

    private final Path directory;

    public FileShmPlatform(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    @Override
    public String id() {
        return "portable-polling";
    }

    @Override
    public boolean blocksInKernel() {
        return false;
    }

    /** Where a segment of that name lives; refuses names that are not ours (no path tricks). */
    public Path path(String name) {
        SegmentNames.check(name);
        return directory.resolve(name);
    }

    @Override
    public ShmHandle create(String name, long size, SegmentAccess access) {
        Path path = path(name);
        FileAttribute<Set<PosixFilePermission>> ownerOnly =
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        FileChannel channel = null;
        try {
            var options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            channel = posix() ? FileChannel.open(path, options, ownerOnly) : FileChannel.open(path, options);
            if (access != null && access.hasGroup() && posix()) {
                PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
                GroupPrincipal group = path.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByGroupName(access.group());
                view.setGroup(group);
                view.setPermissions(PosixFilePermissions.fromString("rw-rw----"));
            }
            // Extend to the full size: on tmpfs the pages stay unallocated until touched.
            channel.write(ByteBuffer.allocate(1), size - 1);
            return new FileHandle(name, path, channel, size);
        } catch (FileAlreadyExistsException e) {
            closeQuietly(channel);
            throw new LabHubException(ErrorCode.INTERNAL, "shared-memory segment " + name + " already exists", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // best effort; the janitor removes leftovers
            }
            if (e instanceof LabHubException lhe) {
                throw lhe;
            }
            throw new LabHubException(ErrorCode.INTERNAL, "cannot create shared-memory segment " + path + ": " + e, e);
        }
    }

    @Override
    public ShmHandle open(String name) {
        Path path = path(name);
        try {
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw new LabHubException(ErrorCode.SEGMENT_INVALID,
                            "shared-memory segment " + path + " is not a regular file");
                }
                throw new ChannelNotFoundException("shared-memory segment " + path + " does not exist");
            }
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            return new FileHandle(name, path, channel, channel.size());
        } catch (NoSuchFileException e) {
            throw new ChannelNotFoundException("shared-memory segment " + path + " does not exist", e);
        } catch (IOException e) {
            throw new LabHubException(ErrorCode.SEGMENT_INVALID, "cannot open shared-memory segment " + path + ": " + e, e);
        }
    }

    @Override
    public boolean unlink(String name) {
        try {
            return Files.deleteIfExists(path(name));
        } catch (IOException e) {
            throw new LabHubException(ErrorCode.INTERNAL, "cannot remove shared-memory segment " + name + ": " + e, e);
        }
    }

    @Override
    public List<String> list() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, SegmentNames.PREFIX + "*")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (SegmentNames.isValid(name)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            // an unreadable directory has nothing of ours
        }
        return names;
    }

    /**
     * Linux: whether any process this user can inspect has the file open ({@code /proc/PID/fd}) or mapped
     * ({@code /proc/PID/maps}). Per process the descriptors are read before the mappings: a creator or
     * opener holds the descriptor until it has mapped, so neither moment is missed. Only a regular file
     * owned by this user and closed to others (rw-------) can be "not in use": processes of other users
     * cannot be inspected, and only an owner-only file is certain to be out of their reach.
     */
    @Override
    public boolean inUse(String name) {
        Path proc = Path.of("/proc");
        Path file = path(name);
        try {
            if (!Files.isDirectory(proc.resolve("self/fd")) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
            var attributes = Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.owner().equals(Files.getOwner(proc.resolve("self"))) 
                    || !attributes.permissions().equals(PosixFilePermissions.fromString("rw-------"))) {
                return true;
            }
            String target = file.toRealPath(LinkOption.NOFOLLOW_LINKS).toString();
            try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, entry -> entry.getFileName().toString().chars()
                    .allMatch(Character::isDigit))) {
                for (Path process : processes) {
                    if (usesFile(process, target)) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell
        }
    }

    private static boolean usesFile(Path process, String target) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(target)) {
                        return true;
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException notOursOrGone) {
            return false; // another user's process (cannot open an owner-only file) or one that exited
        }
        try (var lines = Files.lines(process.resolve("maps"))) {
            return lines.anyMatch(line -> line.endsWith(" " + target) || line.endsWith(" " + target + " (deleted)"));
        } catch (IOException | java.io.UncheckedIOException gone) {
            return false;
        }
    }

    @Override
    public WaitResult await(ShmHandle handle, int entry, MemorySegment word, int expected, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        long park = MIN_PARK_NANOS;
        int wakes = handle instanceof FileHandle fh ? fh.wakes.get() : 0;
        while (true) {
            if ((int) INT.getAcquire(word, 0L) != expected) {
                return WaitResult.CHANGED;
            }
            if (handle instanceof FileHandle fh && fh.wakes.get() != wakes) {
                return WaitResult.WOKEN;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return WaitResult.TIMED_OUT;
            }
            LockSupport.parkNanos(Math.min(left, park));
            park = Math.min(MAX_PARK_NANOS, park * 2);
        }
    }

    @Override
    public void wake(ShmHandle handle, int entry, MemorySegment word) {
        // pollers in other processes see the word change by themselves; a wake within this process
        // (a close from another thread) is seen through the handle
        if (handle instanceof FileHandle fh) {
            fh.wakes.incrementAndGet();
        }
    }

    private static final java.lang.invoke.VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private boolean posix() {
        return directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }

    /** A file and the shared arena of its mappings. */
    protected static final class FileHandle implements ShmHandle {
        private final String name;
        private final Path path;
        private final long size;
        private final Arena arena = Arena.ofShared();
        final java.util.concurrent.atomic.AtomicInteger wakes = new java.util.concurrent.atomic.AtomicInteger();
        private FileChannel channel;
        private boolean closed;

        FileHandle(String name, Path path, FileChannel channel, long size) {
            this.name = name;
            this.path = path;
            this.channel = channel;
            this.size = size;
        }

        @Override
        public String name() {
            return name;
        }

        public Path path() {
            return path;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public long currentSize() {
            try {
                return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).size();
            } catch (IOException e) {
                return -1; // unlinked (closed producer) or unreadable: cannot tell
            }
        }

        @Override
        public synchronized MemorySegment map(long offset, long length, boolean writable) {
            if (closed || channel == null) {
                throw new IllegalStateException("segment " + name + " is closed or its descriptor released");
            }
            if (offset < 0 || length < 0 || offset + length > size) {
                throw new LabHubException(ErrorCode.SEGMENT_INVALID, "mapping [" + offset + ", +" + length
                        + ") lies outside segment " + name + " of " + size + " bytes");
            }
            try {
                return channel.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY,
                        offset, length, arena);
            } catch (IOException e) {
                throw new LabHubException(ErrorCode.SEGMENT_INVALID, "cannot map segment " + name + ": " + e, e);
            }
        }

        @Override
        public synchronized void releaseDescriptor() {
            closeQuietly(channel);
            channel = null;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            releaseDescriptor();
            arena.close();
        }
    }
}
