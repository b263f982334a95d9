package io.labhub.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * One runtime per home directory: {@code HOME/run/labhub.lock}, locked with {@link FileChannel#tryLock()}
 * for the lifetime of the runtime and holding its pid. A second runtime in the same home (a second
 * {@code bin/labhub}, {@code bin/labhub -c} beside a running one, an embedding host pointed at it) would
 * share its key pair, its ports and its bundle cache, and would register and unregister the first one's
 * channels under the same key: it refuses to start instead and names the pid that holds the home.
 *
 * <p>The lock is the operating system's: it goes away with the process that held it, however that process
 * ended (SIGKILL, OOM, power loss of a local disk aside), so a stale file left by a dead runtime is simply
 * taken over. The pid in the file is for the message only, never trusted for the decision.
 */
final class HomeLock implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HomeLock.class.getName());

    /** The lock file, relative to the home directory. */
    static final String FILE = "run/labhub.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private HomeLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Another runtime holds the home directory. */
    static final class HomeInUseException extends LaunchException {
        private static final long serialVersionUID = 1L;
        private final long pid;

        HomeInUseException(Path home, long pid) {
            super("a LabHub runtime (pid " + (pid > 0 ? Long.toString(pid) : "unknown") + ") already runs in " + home
                    + "; stop it or use another home");
            this.pid = pid;
        }

        /** @return the pid written by the runtime that holds the home, or -1 when unreadable */
        long pid() {
            return pid;
        }
    }

    /**
     * Locks {@code home} for this process.
     *
     * @throws HomeInUseException when another runtime (in this or another process) holds it
     * @throws LaunchException    when the lock file cannot be created
     */
    static HomeLock acquire(Path home) {
        Path file = home.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another LabHub in this JVM
            }
            if (lock == null) {
                long pid = readPid(channel);
                channel.close();
                throw new HomeInUseException(home, pid);
            }
            long previous = readPid(channel);
            if (previous > 0 && previous != ProcessHandle.current().pid()) {
                LOG.info(() -> "taking over " + file + ", left by runtime pid " + previous + " which is no longer running");
            }
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            channel.force(false);
            return new HomeLock(file, channel, lock);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new LaunchException("cannot lock the runtime directory " + home + " (" + file + "): " + e.getMessage(), e);
        }
    }

    private static long readPid(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        try {
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    Path file() {
        return file;
    }

    /** Releases the lock (the file stays, with the pid of the last runtime). Idempotent. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            LOG.fine(() -> "releasing " + file + ": " + e);
        }
    }
}
