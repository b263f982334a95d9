/**
 * The runtime's status, openHAB style (issue 16 item 4): each driver bundle and Declarative Services component
 * ONLINE / OFFLINE / FAILED with the reason ({@link io.labhub.core.status.StatusModel}). Core holds it because
 * every Hub runtime has core, with or without a shell: the shell's {@code hub:status} prints it, and core serves
 * it as JSON on the request/reply channel {@code hub.status.NODE} for {@code labhub-cli status}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.labhub.core.status;
