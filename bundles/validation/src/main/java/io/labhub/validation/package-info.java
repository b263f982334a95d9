/**
 * Validation of everything that enters LabHub from outside: channel names, CURVE public keys (Z85),
 * shared-memory sizes, metadata maps, channel options, the endpoints producers register and the
 * endpoints ZeroMQ producers bind.
 *
 * <p>There is one implementation of every rule, reached through the {@link io.labhub.validation.Validator}
 * service in OSGi, or through {@link io.labhub.validation.Validators} outside it (launcher, unit tests).
 * No other bundle re-implements a check. {@link io.labhub.validation.Z85} is the one Z85 codec of the
 * runtime.
 *
 * <p>Every refusal is an {@link io.labhub.api.InvalidInputException} whose
 * {@link io.labhub.api.InvalidInputException#rule() rule()} is a stable dotted identifier (listed on
 * {@link io.labhub.validation.Validator}) and whose message starts with that identifier in brackets and
 * quotes the offending value in a form that is safe to log ({@link io.labhub.api.text.SafeText#display}):
 * <ul>
 *   <li>at most the first 64 characters are shown, followed by {@code ...(N chars)} when the value was
 *       longer;</li>
 *   <li>every character outside printable ASCII (control characters, NUL, DEL, any non-ASCII character
 *       such as a Cyrillic look-alike or half of an emoji) is shown as {@code \}{@code uXXXX}, a backslash
 *       as two backslashes and a double quote as {@code \"}; so a message is always one line of printable
 *       ASCII and a look-alike letter is visible as what it is.</li>
 * </ul>
 */
@Export
@Version("1.3.0")
package io.labhub.validation;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
