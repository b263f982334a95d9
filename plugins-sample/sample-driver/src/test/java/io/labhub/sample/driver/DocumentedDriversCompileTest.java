package io.labhub.sample.driver;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.labhub.api.Hub;
import java.io.File;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.Test;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;

/**
 * The drivers printed in README.md and docs/walkthrough.md are what a newcomer copies first: every
 * complete example there (a {@code java} block that starts with {@code package}) must compile against
 * the API and the DS annotations exactly as printed.
 */
public class DocumentedDriversCompileTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(package .*?)```", Pattern.DOTALL);

    @Test
    public void readmeDriverCompiles() throws Exception {
        assertEquals(List.of(), compileAll(doc("README.md"), 1));
    }

    @Test
    public void walkthroughDriverCompiles() throws Exception {
        assertEquals(List.of(), compileAll(doc("docs/walkthrough.md"), 1));
    }

    @Test
    public void aBrokenExampleIsReported() throws Exception { // the check itself can fail
        String broken = "```java\npackage x;\npublic class Y { io.labhub.api.Hub h = hub.nothing(); }\n```\n";
        List<String> errors = compileAll(broken, 1);
        assertFalse(errors.isEmpty());
        assertTrue(errors.toString(), errors.get(0).contains("hub"));
    }

    private static String doc(String relative) throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (root != null && !Files.exists(root.resolve(".ci/run"))) {
            root = root.getParent();
        }
        assertTrue("repository root not found above " + System.getProperty("user.dir"), root != null);
        return Files.readString(root.resolve(relative));
    }

    /** Compiles every complete example; returns the compiler's errors (empty when all compile). */
    private static List<String> compileAll(String markdown, int atLeast) throws Exception {
        List<JavaFileObject> sources = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(markdown);
        while (m.find()) {
            String code = m.group(1);
            Matcher cls = Pattern.compile("public (?:final )?class (\\w+)").matcher(code);
            assertTrue("no public class in example:\n" + code, cls.find());
            String pkg = code.substring("package ".length(), code.indexOf(';')).trim();
            URI uri = URI.create("string:///" + pkg.replace('.', '/') + "/" + cls.group(1) + ".java");
            sources.add(new SimpleJavaFileObject(uri, JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return code;
                }
            });
        }
        assertTrue("expected at least " + atLeast + " complete java example(s)", sources.size() >= atLeast);
        String classPath = String.join(File.pathSeparator, jarOf(Hub.class), jarOf(Component.class),
                jarOf(ObjectClassDefinition.class), jarOf(Logger.class));
        Path out = Files.createTempDirectory("documented-drivers");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter log = new StringWriter();
        List<String> errors = new ArrayList<>();
        boolean ok = javac.getTask(log, null, d -> {
            if (d.getKind() == javax.tools.Diagnostic.Kind.ERROR) {
                errors.add(d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null));
            }
        }, List.of("-proc:none", "-classpath", classPath, "-d", out.toString()), null, sources).call();
        assertEquals(log.toString() + errors, ok, errors.isEmpty());
        return errors;
    }

    private static String jarOf(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
