package io.labhub.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** The system bundle exports the API with the versions the API bundle declares, never a copy of them. */
public class ApiPackagesTest {

    @Test
    public void versionsComeFromTheExportPackageHeaderEvenWithQuotedCommas() {
        String header = "io.labhub.api;version=\"1.4.2\",io.labhub.api.spi;version=\"1.0.3\";uses:=\"io.labhub.api,java.util\""
                + ",io.labhub.api.schema;version=\"1.0.0\"";
        assertEquals("io.labhub.api;version=1.4.2,io.labhub.api.spi;version=1.0.3,io.labhub.api.schema;version=1.0.0",
                ApiPackages.fromExportPackage(header, "x.jar"));

        String reordered = "io.labhub.api.schema;version=\"1.1.0\",io.labhub.api.spi;uses:=\"io.labhub.api\";version=\"2.0.0\",io.labhub.api;version=\"2.1.0\"";
        assertEquals("io.labhub.api;version=2.1.0,io.labhub.api.spi;version=2.0.0,io.labhub.api.schema;version=1.1.0",
                ApiPackages.fromExportPackage(reordered, "x.jar"));
    }

    @Test
    public void aMissingPackageOrVersionIsAClearError() {
        LaunchException missing = assertThrows(LaunchException.class,
                () -> ApiPackages.fromExportPackage("io.labhub.api;version=\"1.1.0\"", "api.jar"));
        assertTrue(missing.getMessage(), missing.getMessage().contains("io.labhub.api.spi") && missing.getMessage().contains("api.jar"));

        LaunchException unversioned = assertThrows(LaunchException.class,
                () -> ApiPackages.fromExportPackage("io.labhub.api,io.labhub.api.spi;version=\"1.0.0\"", "api.jar"));
        assertTrue(unversioned.getMessage(), unversioned.getMessage().contains("does not export io.labhub.api "));

        assertThrows(LaunchException.class,
                () -> ApiPackages.fromExportPackage("io.labhub.api;version=\"1.0.0;x\",io.labhub.api.spi;version=\"1\"", "api.jar"));
    }

    @Test
    public void theApiJarOnTheClassPathIsRead() {
        String extra = ApiPackages.systemPackagesExtra();
        assertTrue(extra, extra.matches("io\\.labhub\\.api;version=\\d+\\.\\d+\\.\\d+,io\\.labhub\\.api\\.spi;version=\\d+\\.\\d+\\.\\d+"
                + ",io\\.labhub\\.api\\.schema;version=\\d+\\.\\d+\\.\\d+"));
    }
}
