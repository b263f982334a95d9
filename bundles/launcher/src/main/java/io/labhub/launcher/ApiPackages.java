package io.labhub.launcher;

import io.labhub.api.Hub;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The API packages the system bundle exports from the host's class path, with the versions the API
 * bundle's own manifest declares. Read, not written down here, so that an API version bump can never
 * leave the launcher exporting an older version than the bundles built against it import.
 */
final class ApiPackages {

    // io.labhub.api.schema too: io.labhub.api's ChannelInfo and options name its Schema, so a bundle that got
    // Schema from the API bundle while ChannelInfo came from the class path would fail a loader constraint.
    static final List<String> PACKAGES = List.of("io.labhub.api", "io.labhub.api.spi", "io.labhub.api.schema");

    private ApiPackages() {
    }

    /** {@code io.labhub.api;version=X,io.labhub.api.spi;version=Y,io.labhub.api.schema;version=Z} from the API jar on the class path. */
    static String systemPackagesExtra() {
        Path where;
        try {
            where = Path.of(Hub.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new LaunchException("cannot locate the LabHub API on the class path: " + e, e);
        }
        String exports;
        try {
            exports = exportPackage(where);
        } catch (IOException e) {
            throw new LaunchException("cannot read the manifest of the LabHub API at " + where + ": " + e.getMessage(), e);
        }
        if (exports == null) {
            throw new LaunchException("the LabHub API at " + where + " has no Export-Package header; is it the labhub-api bundle?");
        }
        return fromExportPackage(exports, where.toString());
    }

    private static String exportPackage(Path where) throws IOException {
        if (Files.isDirectory(where)) { // classes directory (tests inside the api module, IDEs)
            Path mf = where.resolve("META-INF/MANIFEST.MF");
            if (!Files.exists(mf)) {
                return null;
            }
            try (InputStream in = Files.newInputStream(mf)) {
                return new Manifest(in).getMainAttributes().getValue("Export-Package");
            }
        }
        try (JarFile jar = new JarFile(where.toFile())) {
            Manifest mf = jar.getManifest();
            return mf == null ? null : mf.getMainAttributes().getValue(new Attributes.Name("Export-Package"));
        }
    }

    /** Picks the version of each of {@link #PACKAGES} out of an OSGi Export-Package header. */
    static String fromExportPackage(String header, String source) {
        List<String> out = new ArrayList<>();
        List<String> clauses = splitOutsideQuotes(header, ',');
        for (String pkg : PACKAGES) {
            String version = null;
            for (String clause : clauses) {
                List<String> parts = splitOutsideQuotes(clause, ';');
                if (!parts.get(0).trim().equals(pkg)) {
                    continue;
                }
                for (String p : parts.subList(1, parts.size())) {
                    String a = p.trim();
                    if (a.startsWith("version=")) {
                        version = a.substring("version=".length()).replace("\"", "").trim();
                    }
                }
            }
            if (version == null || !version.matches("\\d+(\\.\\d+){0,2}(\\.[\\w-]+)?")) {
                throw new LaunchException("the LabHub API at " + source + " does not export " + pkg
                        + " with a version (Export-Package: " + header + ")");
            }
            out.add(pkg + ";version=" + version);
        }
        return String.join(",", out);
    }

    private static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(s.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(s.substring(from));
        return parts;
    }
}
