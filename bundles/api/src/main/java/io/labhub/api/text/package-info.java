/**
 * Untrusted text made safe for a log line or an exception message: {@link io.labhub.api.text.SafeText}.
 *
 * <p>It lives in the API bundle because that is the lowest bundle every LabHub bundle imports (validation,
 * security, both transports, the broker and its client, core, the shell): one rule, one truncation length,
 * no copies. Drivers may use it too.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.labhub.api.text;
