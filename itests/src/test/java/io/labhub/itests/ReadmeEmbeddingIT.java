package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.labhub.testkit.ChildJvm;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.Test;

/**
 * The README's embedding section as a newcomer uses it: its Java block is compiled as printed (javax.tools,
 * against the runtime's lib/*.jar) and its {@code java} line is run as printed (through sh, with
 * {@code LABHUB} set to the assembled runtime), in an empty folder. The program must start LabHub, get
 * the Hub, print its line and end by itself (no LabHub thread left), with no shell and no broker in it.
 */
public class ReadmeEmbeddingIT {

    private static final Pattern SECTION = Pattern.compile("(?s)## Embedding LabHub.*?(?=\\n## )");
    private static final Pattern JAVA = Pattern.compile("(?s)```java\\n(.*?)```");
    private static final Pattern SH = Pattern.compile("(?s)```sh\\n(.*?)```");

    @Test
    public void theEmbeddingSnippetCompilesAndRunsAsPrinted() throws Exception {
        Path runtime = It.runtimeDir().toAbsolutePath().normalize();
        String readme = Files.readString(runtime.resolve("../../../README.md"));
        Matcher section = SECTION.matcher(readme);
        assertTrue("README has an Embedding section", section.find());
        String text = section.group();
        Matcher java = JAVA.matcher(text);
        Matcher sh = SH.matcher(text);
        assertTrue("a java block in the Embedding section", java.find());
        assertTrue("an sh block in the Embedding section", sh.find());
        String source = java.group(1);
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(source, cls.find());
        String runLine = sh.group(1).lines().filter(l -> l.startsWith("java ")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'java ...' line in\n" + sh.group(1)));

        Path dir = It.workDir().resolve("readme-embedding");
        It.deleteTree(dir);
        Files.createDirectories(dir);
        Path file = dir.resolve(cls.group(1) + ".java");
        Files.writeString(file, source);
        String libs;
        try (Stream<Path> jars = Files.list(runtime.resolve("lib"))) {
            libs = jars.map(Path::toString).filter(j -> j.endsWith(".jar")).collect(Collectors.joining(File.pathSeparator));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int compiled = javac.run(null, null, null, "-cp", libs, "-d", dir.toString(), file.toString());
        assertEquals("the README's program compiles against lib/*.jar", 0, compiled);

        // sh runs the line as printed; PATH starts with this JDK (25), LABHUB names the runtime.
        String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
        try (ChildJvm host = ChildJvm.command("/usr/bin/env", "PATH=" + javaBin + ":/usr/bin:/bin", "LABHUB=" + runtime,
                "/bin/sh", "-c", runLine).directory(dir).start()) {
            int exit = host.awaitExit(Duration.ofSeconds(120)); // ends by itself: no thread of LabHub left
            String out = host.output();
            assertEquals(out, 0, exit);
            assertTrue(out, out.contains("embedded LabHub up: key "));
            assertFalse("no Gogo shell in an embedded host:\n" + out, out.contains("gogo") || out.contains("g! "));
            assertFalse("no broker in an embedded host:\n" + out, out.contains("broker listening"));
            assertFalse("no warning from the JVM with the printed flags:\n" + out, out.contains("WARNING: A restricted method")
                    || out.contains("sun.misc.Unsafe"));
        }
        Path home = dir.resolve("acquisition-home");
        assertTrue("the host's key pair is made in its home", Files.isRegularFile(home.resolve("conf/keys/labhub.pub")));
        assertFalse("no deploy/ in an embedded host", Files.exists(home.resolve("deploy")));
    }
}
