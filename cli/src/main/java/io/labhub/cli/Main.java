package io.labhub.cli;

/** bin/labhub-cli (docs/cli.md). */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(2);
    }
}
