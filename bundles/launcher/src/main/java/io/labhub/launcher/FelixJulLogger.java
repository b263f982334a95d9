package io.labhub.launcher;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** Routes the Felix framework's own log (which otherwise goes to stdout) to java.util.logging. */
final class FelixJulLogger extends org.apache.felix.framework.Logger {

    private static final Logger LOG = Logger.getLogger("org.apache.felix.framework");

    @Override
    protected void doLog(Bundle bundle, @SuppressWarnings("rawtypes") ServiceReference sr, int level, String msg,
                         Throwable throwable) {
        String prefix = bundle != null ? "[" + bundle.getSymbolicName() + "] " : "";
        LOG.log(toJul(level), prefix + msg, throwable);
    }

    @Override
    protected void doLog(int level, String msg, Throwable throwable) {
        LOG.log(toJul(level), msg, throwable);
    }

    private static Level toJul(int level) {
        return switch (level) {
            case LOG_ERROR -> Level.SEVERE;
            case LOG_WARNING -> Level.WARNING;
            case LOG_INFO -> Level.INFO;
            default -> Level.FINE;
        };
    }
}
