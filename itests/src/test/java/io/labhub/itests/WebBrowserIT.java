package io.labhub.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import io.labhub.api.Hub;
import io.labhub.launcher.LabHub;
import io.labhub.testkit.Await;
import com.sun.net.httpserver.HttpServer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.osgi.framework.ServiceReference;

/**
 * Issue 17 in a real browser: Debian's chromium, headless, driven through chromium-driver by Selenium, opens the
 * console of an embedded runtime (the launcher, as a host application would; local directory, so no broker port)
 * with the sample camera, thermometer and stage hot-deployed: the channel table lists them and follows the camera's
 * jar being removed and put back, the preview shows frames that are not blank and change, the plot draws, and the
 * form moves the stage. Screenshots go to target/. Skips, naming the packages, where chromium is not installed.
 */
public class WebBrowserIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    public void theConsoleShowsTheLabAndMovesTheStage() throws Exception {
        assumeTrue("Debian packages chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
                Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER));
        Path home = It.workDir().resolve("web-browser-home");
        It.deleteTree(home);
        Path conf = Files.createDirectories(home.resolve("conf"));
        Path deploy = Files.createDirectories(home.resolve("deploy"));
        Files.writeString(conf.resolve("io.labhub.core.cfg"), "directory = local\n");
        Files.writeString(conf.resolve("io.labhub.web.cfg"), "host = 127.0.0.1\nport = 0\n");
        Files.writeString(conf.resolve("io.labhub.sample.camera.cfg"), "width = 160\nheight = 120\nrateHz = 20\nslots = 8\n");
        for (String sample : new String[] {"camera", "thermometer", "stage"}) {
            Files.copy(It.samplesDir().resolve("labhub-sample-" + sample + ".jar"), deploy.resolve("labhub-sample-" + sample + ".jar"));
        }
        Path shots = shots();
        try (LabHub lab = LabHub.builder().home(home).featuresDir(It.featuresDir()).deploy(true)
                .features("boot", "framework", "base", "core", "shm", "zmq", "recorder", "web")
                .property("org.apache.felix.http.require.config", "true").start()) {
            Hub hub = lab.hub(WAIT);
            for (String name : new String[] {"camera1.frames", "lab.thermometer", "stage.x"}) {
                Await.until(name + " produced", WAIT, () -> hub.find(name).isPresent());
            }
            String base = Await.value("the console's port", WAIT, () -> {
                ServiceReference<?>[] refs = lab.bundleContext().getServiceReferences(
                        "org.osgi.service.servlet.runtime.HttpServiceRuntime", "(org.apache.felix.http.name=labhub-web)");
                return refs == null ? null : "http://127.0.0.1:" + refs[0].getProperty("org.osgi.service.http.port") + "/";
            });
            WebDriver browser = browser(home);
            try {
                browser.get(base);
                Await.until("the channel table lists the samples", WAIT, () -> rows(browser).containsAll(
                        List.of("camera1.frames", "lab.thermometer", "stage.x")));

                double[] first = Await.value("a camera frame that is not blank", WAIT, () -> {
                    double[] s = previewStats(browser);
                    return s != null && s[1] > s[0] ? s : null;
                });
                Await.until("the preview changes between frames", WAIT, () -> {
                    double[] s = previewStats(browser);
                    return s != null && s[2] != first[2];
                });

                Await.until("a runtime without the broker feature says where the broker's clients are", WAIT,
                        () -> browser.findElement(By.id("broker-summary")).getText().startsWith("no broker runs in this runtime"));
                Await.until("the recorder is there and records nothing", WAIT,
                        () -> browser.findElement(By.id("recorder-summary")).getText().startsWith("not recording (hub:record start"));
                recordTheThermometer(lab, home.resolve("browser-run.h5"), browser);
                Await.until("the thermometer's plot has points", WAIT,
                        () -> browser.findElement(By.id("plot-info")).getText().matches("[1-9][0-9]* points.*"));

                new Select(browser.findElement(By.id("request-channel"))).selectByValue("stage.x");
                WebElement body = browser.findElement(By.id("request-body"));
                body.clear();
                body.sendKeys("move 1.5");
                browser.findElement(By.cssSelector("#request button")).click();
                Await.until("the stage answers the move", WAIT,
                        () -> browser.findElement(By.id("request-reply")).getText().startsWith("moved to 1.500 mm"));
                body.clear();
                body.sendKeys("position");
                browser.findElement(By.cssSelector("#request button")).click();
                Await.until("the stage is at 1.5 mm", WAIT,
                        () -> browser.findElement(By.id("request-reply")).getText().equals("position 1.500 mm"));
                body.clear();
                body.sendKeys("dance");
                browser.findElement(By.cssSelector("#request button")).click();
                Await.until("the typed error is shown", WAIT,
                        () -> browser.findElement(By.id("request-reply")).getText().startsWith("400 INVALID_ARGUMENT"));
                screenshot(browser, shots.resolve("web-console.png"));

                Path jar = deploy.resolve("labhub-sample-camera.jar");
                Path away = home.resolve("labhub-sample-camera.jar");
                Files.move(jar, away);
                Await.until("the camera leaves the table", WAIT, () -> !rows(browser).contains("camera1.frames"));
                screenshot(browser, shots.resolve("web-console-no-camera.png"));
                Files.move(away, jar);
                Await.until("the camera is back in the table", WAIT, () -> rows(browser).contains("camera1.frames"));
                assertEquals("the preview joined nothing", 0, hub.find("camera1.frames").orElseThrow().consumers());
                Await.until("the preview shows the camera again", WAIT, () -> {
                    double[] s = previewStats(browser);
                    return s != null && s[1] > s[0];
                });

                // more tabs of the console than a browser opens connections to one host (six): each page's event
                // stream holds one, so a tab in the background lets go of it; the ninth tab still gets its table
                for (int tab = 2; tab <= 9; tab++) {
                    browser.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
                    browser.get(base);
                    Await.until("tab " + tab + " of the console lists the samples", WAIT, () -> rows(browser).contains("stage.x"));
                }
            } finally {
                browser.quit();
            }
        }
    }

    /**
     * The console elsewhere ({@code host = 0.0.0.0} with a token), reached by the browser through a non-loopback
     * address of this machine: the page itself loads (to type the token into) but shows the refusal and no channel;
     * the request form without the token and with a wrong one is refused; a page of another origin that posts a move
     * to the stage (a plain form, which a browser sends without asking) is refused and the stage does not move; with
     * the token typed in, the channels, the preview and the form work.
     */
    @Test
    public void elsewhereTheBrowserNeedsTheTokenForEveryReadAndAction() throws Exception {
        assumeTrue("Debian packages chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
                Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER));
        String lan = lanAddress();
        assumeTrue("this machine has no non-loopback IPv4 address to reach the console by", lan != null);
        Path home = It.workDir().resolve("web-browser-remote-home");
        It.deleteTree(home);
        Path conf = Files.createDirectories(home.resolve("conf"));
        Path deploy = Files.createDirectories(home.resolve("deploy"));
        String token = "remote-browser-token-" + Long.toHexString(System.nanoTime());
        Path tokenFile = conf.resolve("web.token");
        Files.writeString(tokenFile, token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(conf.resolve("io.labhub.core.cfg"), "directory = local\n");
        Files.writeString(conf.resolve("io.labhub.web.cfg"), "host = 0.0.0.0\nport = 0\ntokenFile = conf/web.token\n");
        Files.writeString(conf.resolve("io.labhub.sample.camera.cfg"), "width = 160\nheight = 120\nrateHz = 20\nslots = 8\n");
        for (String sample : new String[] {"camera", "stage"}) {
            Files.copy(It.samplesDir().resolve("labhub-sample-" + sample + ".jar"), deploy.resolve("labhub-sample-" + sample + ".jar"));
        }
        HttpServer foreign = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        try (LabHub lab = LabHub.builder().home(home).featuresDir(It.featuresDir()).deploy(true)
                .features("boot", "framework", "base", "core", "shm", "zmq", "recorder", "web")
                .property("org.apache.felix.http.require.config", "true").start()) {
            Hub hub = lab.hub(WAIT);
            for (String name : new String[] {"camera1.frames", "stage.x"}) {
                Await.until(name + " produced", WAIT, () -> hub.find(name).isPresent());
            }
            String base = "http://" + lan + ":" + Await.value("the console's port", WAIT, () -> {
                ServiceReference<?>[] refs = lab.bundleContext().getServiceReferences(
                        "org.osgi.service.servlet.runtime.HttpServiceRuntime", "(labhub.web.access=token)");
                return refs == null ? null : refs[0].getProperty("org.osgi.service.http.port");
            }) + "/";
            // another site's page: posts a move to the stage as it loads, as a form would (a "simple" request, which a
            // browser sends without asking the console first; its answer stays opaque to the page)
            byte[] attack = ("<!DOCTYPE html><html><body><script>fetch('" + base + "api/request/stage.x', {method: 'POST', "
                    + "mode: 'no-cors', credentials: 'include', headers: {'Content-Type': 'text/plain'}, body: 'move 7'})"
                    + ".finally(() => { document.title = 'sent'; });</script></body></html>").getBytes(StandardCharsets.UTF_8);
            foreign.createContext("/", x -> {
                x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                x.sendResponseHeaders(200, attack.length);
                x.getResponseBody().write(attack);
                x.close();
            });
            foreign.start();
            WebDriver browser = browser(home);
            try {
                browser.get(base);
                Await.until("the page shows that it needs the token", WAIT,
                        () -> browser.findElement(By.id("notice")).getText().startsWith("AUTH_FAILED"));
                assertEquals("no channel is shown without the token", List.of(), rows(browser));
                assertEquals("no camera is offered without the token", 0L, ((JavascriptExecutor) browser).executeScript(
                        "return document.getElementById('preview-channel').options.length;"));
                send(browser, "move 7", true);
                Await.until("the move without the token is refused", WAIT,
                        () -> browser.findElement(By.id("request-reply")).getText().startsWith("401 AUTH_FAILED"));

                WebElement field = browser.findElement(By.id("token"));
                field.sendKeys("not-the-token-of-this-console" + Keys.TAB);
                send(browser, "move 7", true);
                Await.until("the move with a wrong token is refused", WAIT,
                        () -> browser.findElement(By.id("request-reply")).getText().startsWith("401 AUTH_FAILED"));
                assertTrue("still no channel", rows(browser).isEmpty());
                screenshot(browser, shots().resolve("web-console-no-token.png"));

                field.clear();
                field.sendKeys(token + Keys.TAB);
                Await.until("with the token the channel table lists the samples", WAIT,
                        () -> rows(browser).containsAll(List.of("camera1.frames", "stage.x")));
                Await.until("the refusal notice is gone", WAIT, () -> browser.findElement(By.id("notice")).getText().isEmpty());
                Await.value("a camera frame that is not blank", WAIT, () -> {
                    double[] st = previewStats(browser);
                    return st != null && st[1] > st[0] ? st : null;
                });
                send(browser, "position", false);
                String before = Await.value("the stage's position", WAIT, () -> {
                    String t = browser.findElement(By.id("request-reply")).getText();
                    return t.startsWith("position ") ? t : null;
                });

                double refusedBefore = refusals(base, token, "AUTH_FAILED");
                browser.get("http://127.0.0.1:" + foreign.getAddress().getPort() + "/");
                Await.until("the other site's page has sent its move", WAIT, () -> browser.getTitle().equals("sent"));
                Await.until("the console refused it (counted in /metrics)", WAIT,
                        () -> refusals(base, token, "AUTH_FAILED") == refusedBefore + 1);
                browser.get(base);
                Await.until("the table is back (the token kept for the tab)", WAIT, () -> rows(browser).contains("stage.x"));
                send(browser, "position", false);
                Await.until("the stage did not move", WAIT,
                        () -> browser.findElement(By.id("request-reply")).getText().equals(before));
            } finally {
                browser.quit();
            }
        } finally {
            foreign.stop(0);
        }
    }

    /** Sends {@code body} to stage.x from the page's form; {@code byHand} puts the channel in (the page lists none). */
    private static void send(WebDriver browser, String body, boolean byHand) {
        if (byHand) {
            ((JavascriptExecutor) browser).executeScript(String.join("\n",
                    "const s = document.getElementById('request-channel');",
                    "if (![...s.options].some(o => o.value === 'stage.x')) { const o = document.createElement('option');",
                    "  o.value = 'stage.x'; o.textContent = 'stage.x'; s.appendChild(o); }",
                    "s.value = 'stage.x'; document.getElementById('request-reply').textContent = '';"));
        } else {
            new Select(browser.findElement(By.id("request-channel"))).selectByValue("stage.x");
            ((JavascriptExecutor) browser).executeScript("document.getElementById('request-reply').textContent = '';");
        }
        WebElement input = browser.findElement(By.id("request-body"));
        input.clear();
        input.sendKeys(body);
        browser.findElement(By.cssSelector("#request button")).click();
    }

    /** The console's count of refusals with this code, from /metrics (read with the token). */
    private static double refusals(String base, String token, String code) throws Exception {
        var r = Web.get(base + "metrics", "Authorization", "Bearer " + token);
        assertEquals(r.body(), 200, r.statusCode());
        String prefix = "labhub_web_refusals_total{code=\"" + code + "\"} ";
        return r.body().lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst().orElse(0);
    }

    /** The first IPv4 address of an interface that is up and not loopback, or null. */
    private static String lanAddress() throws Exception {
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (n.isUp() && !n.isLoopback()) {
                for (InetAddress a : Collections.list(n.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a.getHostAddress();
                    }
                }
            }
        }
        return null;
    }

    /**
     * A run of the thermometer as the page shows it: the summary while it records, the channel's row with its frames,
     * the last run's file after stop. The host reaches the Recorder service through its interface by reflection
     * (the recorder's API is not on the host's class path).
     */
    private static void recordTheThermometer(LabHub lab, Path file, WebDriver browser) throws Exception {
        // getAll: the host's class path has its own copy of the recorder's API, which the framework's service is not
        // assignable to, so getServiceReference would not return it
        ServiceReference<?> ref = Await.value("the recorder service", WAIT, () -> {
            ServiceReference<?>[] refs = lab.bundleContext().getAllServiceReferences("io.labhub.recorder.Recorder", null);
            return refs == null ? null : refs[0];
        });
        Object recorder = lab.bundleContext().getService(ref);
        Class<?> api = recorder.getClass().getClassLoader().loadClass("io.labhub.recorder.Recorder");
        api.getMethod("start", List.class, Path.class).invoke(recorder, List.of("lab.thermometer"), file);
        try {
            Await.until("the page says it records, to which file", WAIT, () -> browser.findElement(By.id("recorder-summary"))
                    .getText().equals("● recording to " + file));
            Await.until("the thermometer's row counts its frames", WAIT, () -> {
                List<WebElement> cells = browser.findElements(By.cssSelector("#recorder-channels tr[data-channel='lab.thermometer'] td"));
                return cells.size() == 4 && cells.get(1).getText().matches("[1-9][0-9]*") && cells.get(2).getText().equals("0");
            });
        } finally {
            api.getMethod("stop").invoke(recorder);
        }
        Await.until("the page names the last run's file", WAIT, () -> browser.findElement(By.id("recorder-summary"))
                .getText().equals("not recording; the last run went to " + file));
        assertTrue("the file was written", Files.size(file) > 0);
    }

    private static Path shots() {
        return It.workDir().getParent();
    }

    private static WebDriver browser(Path home) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-proxy-server", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1400",
                "--user-data-dir=" + Files.createTempDirectory(home, "chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT); // a page that cannot load fails here, not after 300 s
        return driver;
    }

    /** The channel names the table shows (read in one script: the page redraws the rows every second). */
    private static List<String> rows(WebDriver browser) {
        Object r = ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('#channels tbody tr')].map(tr => tr.dataset.name);");
        return r instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }

    /**
     * The shown preview's pixel statistics, read from the image element in the page: {min, max, sum of the
     * first row} of its red channel, or null before an image has loaded.
     */
    private static double[] previewStats(WebDriver browser) {
        Object r = ((JavascriptExecutor) browser).executeScript(String.join("\n",
                "const img = document.getElementById('preview');",
                "if (!img.complete || !img.naturalWidth) return null;",
                "const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;",
                "const g = c.getContext('2d'); g.drawImage(img, 0, 0);",
                "const d = g.getImageData(0, 0, c.width, c.height).data;",
                "let lo = 255, hi = 0, row = 0;",
                "for (let i = 0; i < d.length; i += 4) { lo = Math.min(lo, d[i]); hi = Math.max(hi, d[i]); if (i < c.width * 4) row += d[i] * (i + 1); }",
                "return [lo, hi, row];"));
        if (!(r instanceof List<?> l)) {
            return null;
        }
        return new double[] {((Number) l.get(0)).doubleValue(), ((Number) l.get(1)).doubleValue(), ((Number) l.get(2)).doubleValue()};
    }

    private static void screenshot(WebDriver browser, Path file) throws Exception {
        byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(file, png);
        assertTrue(png.length > 0);
    }
}
