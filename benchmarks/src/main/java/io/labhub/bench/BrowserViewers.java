package io.labhub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Viewers of the web console (group {@code preview}): the console's page open in {@code n} windows of one headless
 * Debian chromium, driven through chromium-driver by Selenium. Each page runs as a viewer at a desk would (the
 * channel table's event stream, the preview fetched, decoded and painted, its histogram); what a page has shown
 * is read from its {@code window.labhubPreviewShown} (console.js: shown at, age from the frame's commit to its paint,
 * sequence). Windows rather than tabs: a background tab's timers and paints are throttled, and the flags below keep
 * a window that no one looks at running as a visible one.
 */
final class BrowserViewers implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final int VIEWERS = 10;

    private final WebDriver driver;
    private final List<String> windows = new ArrayList<>();

    /** Where the browser cases run: Debian's chromium and chromium-driver installed. */
    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    }

    /** One window per address (each viewer its own host, see {@code ConsoleServer}). */
    BrowserViewers(List<String> urls, Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-proxy-server",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows", "--window-size=1280,1400", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        try {
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            for (int i = 0; i < urls.size(); i++) {
                if (i > 0) {
                    driver.switchTo().newWindow(WindowType.WINDOW);
                }
                driver.get(urls.get(i));
                windows.add(driver.getWindowHandle());
            }
        } catch (RuntimeException e) {
            driver.quit();
            throw e;
        }
    }

    /**
     * Points every page's preview at {@code channel} and waits until each has shown a frame painted after
     * {@code sinceEpochMs}.
     */
    void awaitShowing(String channel, double sinceEpochMs, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String w : windows) {
            driver.switchTo().window(w);
            JavascriptExecutor js = (JavascriptExecutor) driver;
            while (!Boolean.TRUE.equals(js.executeScript(String.join("\n",
                    "const s = document.getElementById('preview-channel');",
                    "if (![...s.options].some(o => o.value === arguments[0])) return false;",
                    "if (s.value !== arguments[0]) { s.value = arguments[0]; s.dispatchEvent(new Event('change')); }",
                    "const shown = window.labhubPreviewShown || [];",
                    "return shown.length > 0 && shown[shown.length - 1][0] > arguments[1];"), channel, sinceEpochMs))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a console page in chromium did not show a frame of " + channel
                            + " within " + timeout + " (its info line: " + js.executeScript(
                            "return document.getElementById('preview-info').textContent;") + ")");
                }
                LockSupport.parkNanos(50_000_000L); // polling a browser: each look is a round trip to chromium
            }
        }
    }

    /** The ages (ms, commit to paint) of every frame any page painted between the two epoch times. */
    double[] ages(double fromEpochMs, double toEpochMs) {
        List<Double> all = new ArrayList<>();
        for (String w : windows) {
            driver.switchTo().window(w);
            Object r = ((JavascriptExecutor) driver).executeScript(
                    "return (window.labhubPreviewShown || []).filter(e => e[0] >= arguments[0] && e[0] <= arguments[1]).map(e => e[1]);",
                    fromEpochMs, toEpochMs);
            if (r instanceof List<?> l) {
                for (Object o : l) {
                    all.add(((Number) o).doubleValue());
                }
            }
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
