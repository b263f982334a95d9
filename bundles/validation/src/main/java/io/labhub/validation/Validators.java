package io.labhub.validation;

import io.labhub.validation.internal.StandardValidator;

import java.util.Objects;

/**
 * Makes the one {@link Validator} implementation, for code that runs outside OSGi (the launcher, unit
 * tests of any bundle). Inside the runtime, use the {@code Validator} service, whose limits come from
 * ConfigAdmin.
 */
public final class Validators {

    private static final Validator DEFAULTS = new StandardValidator(ValidationLimits.DEFAULTS);

    private Validators() {
    }

    /**
     * @param limits the limits to apply
     * @return a thread-safe validator applying them
     */
    public static Validator create(ValidationLimits limits) {
        return new StandardValidator(Objects.requireNonNull(limits, "limits"));
    }

    /** @return a thread-safe validator applying {@link ValidationLimits#DEFAULTS} (a shared instance) */
    public static Validator defaults() {
        return DEFAULTS;
    }
}
