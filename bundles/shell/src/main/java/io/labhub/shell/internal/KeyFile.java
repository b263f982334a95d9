package io.labhub.shell.internal;

import io.labhub.api.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The public keys in a key file, as LabHub writes them ({@code conf/keys/labhub.pub}, an
 * {@code allowed_keys} list): one Z85 key per line, {@code #} lines are comments. Quotes around a key
 * (as the shell prints it) are accepted. A secret key file is refused: it must never leave its runtime.
 */
final class KeyFile {

    private KeyFile() {
    }

    static List<String> publicKeys(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException("shell.keyFile", file.toString(), "cannot read key file " + file + ": " + e);
        }
        if (lines.stream().anyMatch(l -> l.startsWith("#") && l.toLowerCase(java.util.Locale.ROOT).contains("secret key"))) {
            throw new InvalidInputException("shell.keyFile", file.toString(),
                    file + " holds a secret key; give hub:allow the public one (labhub.pub)");
        }
        List<String> keys = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.length() >= 2 && l.startsWith("'") && l.endsWith("'") ? l.substring(1, l.length() - 1) : l)
                .toList();
        if (keys.isEmpty()) {
            throw new InvalidInputException("shell.keyFile", file.toString(), "no key in " + file);
        }
        return keys;
    }
}
