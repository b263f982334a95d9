package io.labhub.launcher;

import io.labhub.api.Hub;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.util.tracker.ServiceTracker;

/**
 * LabHub inside a host JVM: starts an Apache Felix framework with a set of features and hands the host
 * the {@link Hub}. The API packages ({@code io.labhub.api}, {@code io.labhub.api.spi}) are exported by
 * the system bundle from the host's class path, so the host and the bundles share one {@code Hub} type.
 *
 * <pre>{@code
 * try (LabHub lab = LabHub.builder().home(Path.of("acquisition-home")).start()) {
 *     Hub hub = lab.hub(Duration.ofSeconds(30));
 *     try (ShmConsumer frames = hub.openShmConsumer("camera1.frames")) { ... }
 * }
 * }</pre>
 *
 * <p>What an embedded LabHub is, by default: the host's own home ({@code conf/} read and watched,
 * {@code conf/keys/} its key pair, {@code data/}, {@code log/}; created when missing), the features of the
 * runtime whose {@code lib/} the launcher jar came from, all of them but {@code shell} (a host has no
 * console), no {@code deploy/} (drivers are the runtime's; {@link Builder#deploy(boolean)} turns it on),
 * and a broker only when {@code conf/io.labhub.broker.cfg} exists. {@code bin/labhub} ({@link Main}) asks
 * for the shell and {@code deploy/} explicitly.
 *
 * <p>One runtime per home: {@link Builder#start()} locks {@code HOME/run/labhub.lock} (see {@link HomeLock})
 * and refuses with a {@link LaunchException} naming the pid when another runtime holds that home.
 *
 * <p>Threading: all methods are thread-safe. {@link #close()} stops the framework and waits for it, so
 * no framework thread is left afterwards.
 */
public final class LabHub implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LabHub.class.getName());
    private static final String SCR = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    private static final String COMMAND_PROCESSOR = "org.apache.felix.service.command.CommandProcessor";

    private final Framework framework;
    private final Path home;
    private final List<Path> deployDirs;
    private final List<Feature> features;
    private final HomeLock homeLock;
    /** Logs components that fail to activate (SCR prints them on stderr only). */
    private final ComponentFailureLog failureLog;

    private LabHub(Framework framework, Path home, List<Path> deployDirs, List<Feature> features, HomeLock homeLock) {
        this.framework = framework;
        this.homeLock = homeLock;
        this.home = home;
        this.deployDirs = deployDirs;
        this.features = features;
        this.failureLog = ComponentFailureLog.start(framework.getBundleContext());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How to start LabHub; every setting has a default. */
    public static final class Builder {
        private Path home = Path.of(System.getProperty("labhub.home", ".")).toAbsolutePath().normalize();
        private Path featuresDir;
        private List<String> featureNames;
        private Path storage;
        private boolean hotDeploy = true;
        private boolean deploy;
        private boolean shell;
        private boolean console;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private HomeLock homeLock;

        private Builder() {
        }

        /** The home lock, taken already by {@link Main} before it opened the log file in that home. */
        Builder homeLock(HomeLock lock) {
            this.homeLock = lock;
            return this;
        }

        /** The LabHub home: {@code features/}, {@code conf/}, {@code deploy/}, {@code log/}, {@code data/}. */
        public Builder home(Path dir) {
            this.home = dir.toAbsolutePath().normalize();
            return this;
        }

        /**
         * Where the feature directories are; default {@code HOME/features} when that exists, else the
         * {@code features/} of the runtime whose {@code lib/} holds the launcher jar (a host that has the
         * runtime's {@code lib/*.jar} on its class path needs no second setting).
         */
        public Builder featuresDir(Path dir) {
            this.featuresDir = dir.toAbsolutePath().normalize();
            return this;
        }

        /**
         * Which features to install (by name); default every feature in the features directory but
         * {@code shell} (see {@link #shell(boolean)}).
         */
        public Builder features(String... names) {
            this.featureNames = List.of(names);
            return this;
        }

        /** The framework's bundle cache; default {@code HOME/data/cache}, cleaned at each start. */
        public Builder storage(Path dir) {
            this.storage = dir.toAbsolutePath().normalize();
            return this;
        }

        /**
         * Whether files are watched at all: {@code HOME/conf} (*.cfg, default true) and, when
         * {@link #deploy(boolean)} is on, {@code HOME/deploy}. Off: neither is read.
         */
        public Builder hotDeploy(boolean on) {
            this.hotDeploy = on;
            return this;
        }

        /**
         * Whether {@code HOME/deploy} is watched for bundles (drivers); default false for an embedded host,
         * whose drivers run in the runtime; {@code bin/labhub} turns it on.
         */
        public Builder deploy(boolean on) {
            this.deploy = on;
            return this;
        }

        /**
         * Whether the default feature set includes {@code shell} (Gogo and LabHub's commands, for
         * {@link LabHub#execute}); default false. Ignored when {@link #features(String...)} names the features.
         */
        public Builder shell(boolean on) {
            this.shell = on;
            return this;
        }

        /** Whether the Gogo shell reads the process's stdin (interactive console); default false. */
        public Builder console(boolean on) {
            this.console = on;
            return this;
        }

        /** Any framework property; it wins over LabHub's defaults. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /**
         * Creates, installs and starts the framework; returns as soon as the start level is reached (use
         * {@link LabHub#awaitReady(Duration)} to wait for every bundle and component).
         *
         * @throws LaunchException when a feature is missing or broken, the framework fails to start, or
         *                         another LabHub runtime already runs in this home
         */
        public LabHub start() {
            Path dir = featuresDir != null ? featuresDir : defaultFeaturesDir(home);
            List<Feature> all = Feature.scan(dir);
            List<Feature> selected = selectFeatures(all, featureNames, shell);
            if (selected.isEmpty()) {
                throw new LaunchException("no feature to install in " + dir);
            }
            HomeLock lock = homeLock != null ? homeLock : HomeLock.acquire(home);
            try {
                return start(selected, lock);
            } catch (RuntimeException | Error e) {
                lock.close();
                throw e;
            }
        }

        private LabHub start(List<Feature> selected, HomeLock lock) {
            int deployLevel = selected.stream().mapToInt(Feature::startLevel).max().orElse(1) + 1;
            Path deploy = home.resolve("deploy");
            Path conf = home.resolve("conf");
            List<Path> watched = !hotDeploy ? List.of() : this.deploy ? List.of(deploy, conf) : List.of(conf);
            try {
                for (Path d : watched) {
                    Files.createDirectories(d);
                }
                Files.createDirectories(home.resolve("log"));
            } catch (IOException e) {
                throw new LaunchException("cannot create the runtime directories under " + home + ": " + e.getMessage(), e);
            }

            Map<String, Object> props = new HashMap<>();
            props.put(Constants.FRAMEWORK_STORAGE, (storage != null ? storage : home.resolve("data/cache")).toString());
            props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
            props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, ApiPackages.systemPackagesExtra());
            props.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, Integer.toString(deployLevel));
            props.put("felix.startlevel.bundle", Integer.toString(deployLevel));
            props.put("felix.log.logger", new FelixJulLogger());
            props.put("felix.log.level", "2");
            // Resolve on the calling thread: Felix's parallel resolver keeps a pool whose threads outlive
            // framework.stop(), and a few dozen bundles gain nothing from it. A host must get its JVM back clean.
            props.put("felix.resolver.parallelism", "1");
            props.put("labhub.home", home.toString());
            if (hotDeploy) {
                props.put("felix.fileinstall.dir", watched.stream().map(Path::toString).collect(Collectors.joining(",")));
                props.put("felix.fileinstall.poll", "500");
                props.put("felix.fileinstall.noInitialDelay", "true");
                props.put("felix.fileinstall.bundles.new.start", "true");
                props.put("felix.fileinstall.start.level", Integer.toString(deployLevel));
                props.put("felix.fileinstall.log.default", "jul");
                props.put("felix.fileinstall.log.level", "3");
                props.put("felix.fileinstall.filter", ".*\\.(jar|cfg|config)");
            } else {
                props.put("felix.fileinstall.dir", home.resolve("data/no-deploy").toString());
            }
            // gogo.jline's own shell thread only reads its profile: the console (io.labhub.shell's Console) opens
            // the terminal itself when labhub.console is true (history, completion, logs kept off the prompt)
            props.put("gosh.args", "--nointeractive --noshutdown");
            props.put("labhub.console", Boolean.toString(console));
            props.put("gosh.home", home.toString());
            // Felix HTTP (the web feature) would otherwise start Jetty at once on 0.0.0.0:8080; with this it waits for
            // the configuration the web console writes from io.labhub.web.cfg (127.0.0.1 unless a token is set), and a
            // runtime without that file listens nowhere
            props.put("org.apache.felix.http.require.config", "true");
            props.putAll(properties);

            FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, LabHub.class.getClassLoader())
                    .findFirst().orElseThrow(() -> new LaunchException("no OSGi FrameworkFactory on the class path (is org.apache.felix.framework there?)"));
            // Felix accepts non-String values (the logger instance) through the raw map.
            @SuppressWarnings({"unchecked", "rawtypes"})
            Framework framework = factory.newFramework((Map) props);
            try {
                framework.init();
                BundleContext ctx = framework.getBundleContext();
                List<Bundle> toStart = new ArrayList<>();
                for (Feature feature : selected) {
                    for (Path jar : feature.bundles()) {
                        Bundle b = ctx.installBundle(jar.toUri().toString());
                        b.adapt(BundleStartLevel.class).setStartLevel(feature.startLevel());
                        if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                            toStart.add(b);
                        }
                    }
                    LOG.fine(() -> "feature " + feature.name() + " installed at start level " + feature.startLevel());
                }
                for (Bundle b : toStart) {
                    b.start(); // persistent: starts when the framework reaches its start level
                }
                framework.start();
                awaitStartLevel(framework, deployLevel);
            } catch (BundleException | RuntimeException e) {
                stopQuietly(framework);
                throw new LaunchException("LabHub failed to start: " + e.getMessage(), e);
            }
            return new LabHub(framework, home, watched.contains(deploy) ? List.of(deploy) : List.of(), selected, lock);
        }
    }

    /** The feature that holds the Gogo shell: left out of an embedded host's default set. */
    static final String SHELL_FEATURE = "shell";

    /** The named features; with no names, all of them, {@code shell} only when asked for. */
    static List<Feature> selectFeatures(List<Feature> all, List<String> names, boolean shell) {
        return names != null || shell ? Feature.select(all, names)
                : all.stream().filter(f -> !f.name().equals(SHELL_FEATURE)).toList();
    }

    /**
     * {@code HOME/features} when it exists; else the {@code features/} beside the {@code lib/} the launcher
     * jar was loaded from (a runtime's layout); else {@code HOME/features}, which {@link Feature#scan} then
     * reports as missing.
     */
    static Path defaultFeaturesDir(Path home) {
        Path own = home.resolve("features");
        if (Files.isDirectory(own)) {
            return own;
        }
        try {
            var source = LabHub.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                Path jar = Path.of(source.getLocation().toURI());
                Path lib = jar.getParent();
                if (Files.isRegularFile(jar) && lib != null && lib.getFileName() != null
                        && lib.getFileName().toString().equals("lib") && Files.isDirectory(lib.resolveSibling("features"))) {
                    return lib.resolveSibling("features");
                }
            }
        } catch (java.net.URISyntaxException | IllegalArgumentException | SecurityException e) {
            // not a file on disk (a jar inside a jar, a custom class loader): no runtime beside it
        }
        return own;
    }

    private static void awaitStartLevel(Framework framework, int level) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        FrameworkStartLevel fsl = framework.adapt(FrameworkStartLevel.class);
        Object lock = new Object();
        framework.getBundleContext().addFrameworkListener(e -> {
            if (e.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
                synchronized (lock) {
                    lock.notifyAll();
                }
            }
        });
        synchronized (lock) {
            while (fsl.getStartLevel() < level && System.nanoTime() < deadline) {
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LaunchException("interrupted while the framework was starting");
                }
            }
        }
        if (fsl.getStartLevel() < level) {
            throw new LaunchException("framework did not reach start level " + level + " within 60 s");
        }
    }

    public Framework framework() {
        return framework;
    }

    public BundleContext bundleContext() {
        return framework.getBundleContext();
    }

    public Path home() {
        return home;
    }

    public List<Feature> features() {
        return features;
    }

    /** The Hub, waiting for it at most {@code timeout}. */
    public Hub hub(Duration timeout) {
        return service(Hub.class, timeout);
    }

    /**
     * A service whose type the host shares with the framework (the API packages), waiting at most
     * {@code timeout}.
     *
     * @throws LaunchException when it does not appear in time
     */
    public <T> T service(Class<T> type, Duration timeout) {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(bundleContext(), type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(Math.max(1, timeout.toMillis()));
            if (service == null) {
                throw new LaunchException("no " + type.getName() + " service within " + timeout + "; " + readiness());
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while waiting for " + type.getName());
        } finally {
            // The service object stays valid while its bundle runs; the tracker is only for waiting.
            tracker.close();
        }
    }

    /** The current readiness, without waiting. */
    public Readiness readiness() {
        List<String> problems = new ArrayList<>();
        BundleContext ctx = bundleContext();
        for (Bundle b : ctx.getBundles()) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (fragment && b.getState() == Bundle.INSTALLED && forAnotherPlatform(b, framework)) {
                continue; // e.g. the Windows shm fragment on Linux: staying unresolved is its job
            }
            if (b.getState() != expected) {
                problems.add("bundle " + b.getSymbolicName() + " [" + b.getBundleId() + "] is " + stateName(b.getState())
                        + ", expected " + stateName(expected));
            }
        }
        for (Path dir : deployDirs) {
            try (Stream<Path> jars = Files.list(dir)) {
                jars.filter(j -> j.getFileName().toString().endsWith(".jar")).forEach(jar -> {
                    boolean installed = Stream.of(ctx.getBundles()).anyMatch(b -> b.getLocation().endsWith("/" + jar.getFileName()));
                    if (!installed) {
                        problems.add("deploy/" + jar.getFileName() + " is not installed yet");
                    }
                });
            } catch (IOException e) {
                problems.add("cannot list " + dir + ": " + e.getMessage());
            }
        }
        problems.addAll(componentProblems(ctx));
        return new Readiness(problems);
    }

    /** A fragment that requires an {@code osgi.native} capability this platform (the system bundle) does not offer. */
    private static boolean forAnotherPlatform(Bundle fragment, Bundle system) {
        BundleRevision rev = fragment.adapt(BundleRevision.class);
        BundleRevision sys = system.adapt(BundleRevision.class);
        if (rev == null || sys == null || rev.getDeclaredRequirements("osgi.native").isEmpty()) {
            return false;
        }
        var natives = sys.getDeclaredCapabilities("osgi.native");
        return rev.getDeclaredRequirements("osgi.native").stream().anyMatch(req -> natives.stream().noneMatch(req::matches));
    }

    /** Waits until {@link #readiness()} is ready, at most {@code timeout}; returns the last readiness. */
    public Readiness awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Readiness r = readiness();
        while (!r.ready() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100); // polling the framework's state: there is no single event for "all ready"
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            r = readiness();
        }
        return r;
    }

    /**
     * Unsatisfied or failed Declarative Services components, read through SCR's runtime service by
     * reflection (the launcher does not share SCR's types with the framework).
     */
    private static List<String> componentProblems(BundleContext ctx) {
        List<String> problems = new ArrayList<>();
        ServiceReference<?> ref = ctx.getServiceReference(SCR);
        if (ref == null) {
            return problems; // no SCR in this feature set: nothing to check
        }
        Object scr = ctx.getService(ref);
        try {
            Class<?> scrType = ref.getBundle().loadClass(SCR);
            Class<?> descType = ref.getBundle().loadClass("org.osgi.service.component.runtime.dto.ComponentDescriptionDTO");
            Method descriptions = scrType.getMethod("getComponentDescriptionDTOs", Bundle[].class);
            Method enabled = scrType.getMethod("isComponentEnabled", descType);
            Method configurations = scrType.getMethod("getComponentConfigurationDTOs", descType);
            for (Object desc : (Collection<?>) descriptions.invoke(scr, (Object) new Bundle[0])) {
                if (!(Boolean) enabled.invoke(scr, desc)) {
                    continue;
                }
                String name = (String) field(desc, "name");
                Object bundleDto = field(desc, "bundle");
                String owner = bundleDto == null ? "?" : (String) field(bundleDto, "symbolicName");
                for (Object config : (Collection<?>) configurations.invoke(scr, desc)) {
                    int state = (Integer) field(config, "state");
                    if (state == 1 || state == 2 || state == 16) { // UNSATISFIED_CONFIGURATION, _REFERENCE, FAILED_ACTIVATION
                        StringBuilder why = new StringBuilder();
                        Object refs = field(config, "unsatisfiedReferences");
                        for (int i = 0; refs != null && i < Array.getLength(refs); i++) {
                            Object u = Array.get(refs, i);
                            why.append(i == 0 ? " missing " : ", ").append(field(u, "name"));
                        }
                        Object failure = state == 16 ? field(config, "failure") : null;
                        problems.add("component " + name + " of " + owner + " is "
                                + (state == 16 ? "FAILED" : "UNSATISFIED") + why
                                + (failure != null ? ": " + firstLine(failure.toString()) : ""));
                    }
                }
            }
        } catch (ReflectiveOperationException | ClassCastException e) {
            problems.add("cannot inspect components: " + e);
        } finally {
            ctx.ungetService(ref);
        }
        return problems;
    }

    private static Object field(Object dto, String name) throws ReflectiveOperationException {
        try {
            Field f = dto.getClass().getField(name);
            return f.get(dto);
        } catch (NoSuchFieldException e) {
            return null; // older DTO versions lack newer fields such as "failure"
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The outcome of one shell command. */
    public record CommandResult(String command, boolean ok, String error) {
    }

    /**
     * Runs Gogo commands, {@code ;}-separated (quotes respected), printing their output to {@code out}
     * and errors to {@code err}; stops at the first failing command.
     *
     * @return one result per command that ran
     * @throws LaunchException when the shell feature is not installed
     */
    public List<CommandResult> execute(String commands, PrintStream out, PrintStream err, Duration timeout) {
        ServiceTracker<Object, Object> tracker;
        try {
            tracker = new ServiceTracker<>(bundleContext(), bundleContext().createFilter("(objectClass=" + COMMAND_PROCESSOR + ")"), null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        tracker.open();
        List<CommandResult> results = new ArrayList<>();
        try {
            Object processor = tracker.waitForService(Math.max(1, timeout.toMillis()));
            if (processor == null) {
                throw new LaunchException("no Gogo shell in this runtime (is the 'shell' feature installed?)");
            }
            ClassLoader gogo = processor.getClass().getClassLoader();
            Class<?> processorType = gogo.loadClass(COMMAND_PROCESSOR);
            Class<?> sessionType = gogo.loadClass("org.apache.felix.service.command.CommandSession");
            Object session = processorType.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class)
                    .invoke(processor, InputStream.nullInputStream(), out, err);
            Method exec = sessionType.getMethod("execute", CharSequence.class);
            Method format = sessionType.getMethod("format", Object.class, int.class);
            try {
                for (String command : splitCommands(commands)) {
                    try {
                        Object result = exec.invoke(session, command);
                        if (result != null) {
                            out.println(format.invoke(session, result, 0)); // Converter.INSPECT
                        }
                        out.flush();
                        results.add(new CommandResult(command, true, null));
                    } catch (InvocationTargetException e) {
                        Throwable cause = e.getCause();
                        String message = cause.getClass().getSimpleName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
                        err.println("command failed: " + command + "\n  " + message);
                        err.flush();
                        results.add(new CommandResult(command, false, message));
                        break;
                    }
                }
            } finally {
                sessionType.getMethod("close").invoke(session);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while waiting for the shell");
        } catch (ReflectiveOperationException e) {
            throw new LaunchException("cannot drive the Gogo shell: " + e, e);
        } finally {
            tracker.close();
        }
        return results;
    }

    /** Splits on {@code ;} outside single or double quotes; blank commands are dropped. */
    static List<String> splitCommands(String commands) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < commands.length(); i++) {
            char c = commands.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                cur.append(c);
            } else if (c == ';') {
                add(out, cur);
            } else {
                cur.append(c);
            }
        }
        add(out, cur);
        return out;
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().trim();
        if (!s.isEmpty()) {
            out.add(s);
        }
        cur.setLength(0);
    }

    /** Blocks until the framework has stopped (e.g. the console's {@code exit} or {@link #close()}). */
    public void awaitStopped() throws InterruptedException {
        framework.waitForStop(0);
    }

    /** Stops the framework and waits for it (at most 60 s), then releases the home. Idempotent. */
    @Override
    public void close() {
        failureLog.close();
        stopQuietly(framework);
        homeLock.close();
    }

    private static void stopQuietly(Framework framework) {
        try {
            framework.stop();
            FrameworkEvent e = framework.waitForStop(TimeUnit.SECONDS.toMillis(60));
            if (e.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.warning("framework did not stop within 60 s");
            }
        } catch (BundleException e) {
            LOG.log(Level.WARNING, "stopping the framework failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }
}
