package io.labhub.security.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.labhub.api.LabHubException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SecurityComponentTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final String savedHome = System.getProperty(SecurityComponent.HOME_PROPERTY);

    @After
    public void restoreHome() {
        if (savedHome == null) {
            System.clearProperty(SecurityComponent.HOME_PROPERTY);
        } else {
            System.setProperty(SecurityComponent.HOME_PROPERTY, savedHome);
        }
    }

    private static SecurityComponent.Config config(String keysDir, String allowList) {
        return new SecurityComponent.Config() {
            @Override
            public String keysDir() {
                return keysDir;
            }

            @Override
            public String allowList() {
                return allowList;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return SecurityComponent.Config.class;
            }
        };
    }

    @Test
    public void defaultsFollowLabhubHome() {
        Path home = tmp.getRoot().toPath();
        System.setProperty(SecurityComponent.HOME_PROPERTY, home.toString());
        Path keys = SecurityComponent.keysDir(config("", ""));
        assertEquals(home.resolve("conf").resolve("keys"), keys);
        assertEquals(keys.resolve("allowed_keys"), SecurityComponent.allowList(config("", ""), keys));
    }

    @Test
    public void withoutLabhubHomeTheCurrentDirectoryIsUsed() {
        System.clearProperty(SecurityComponent.HOME_PROPERTY);
        assertEquals(Path.of(".", "conf", "keys"), SecurityComponent.keysDir(config("", "")));
    }

    @Test
    public void activationStartsSecurityAndDeactivationClosesIt() throws Exception {
        Path keys = tmp.getRoot().toPath().resolve("k");
        Path allow = tmp.getRoot().toPath().resolve("a").resolve("allowed");
        SecurityComponent component = new SecurityComponent(config(keys.toString(), allow.toString()));
        try {
            assertEquals(Files.readString(keys.resolve(CurveKeys.PUBLIC_KEY_FILE)).lines()
                    .filter(l -> !l.startsWith("#")).findFirst().orElseThrow(), component.publicKey());
            assertTrue(component.isAllowed(component.publicKey()));
            assertTrue(Files.readAllLines(allow).contains(component.publicKey()));
            assertTrue(component.handle().allowListFile().endsWith(Path.of("a", "allowed")));
        } finally {
            component.deactivate();
        }
        assertThrows(LabHubException.class, component::context);
    }
}
