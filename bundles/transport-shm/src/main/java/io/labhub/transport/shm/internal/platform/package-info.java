/**
 * What the shared-memory ring needs from the operating system: create, open and remove a named
 * segment, map parts of it, and block on / wake a 32-bit word in it. The host bundle ships a portable
 * implementation ({@link io.labhub.transport.shm.internal.platform.FileShmPlatform}); the OS fragments
 * (transport-shm-linux, transport-shm-windows) add futex / kernel32 implementations into this same class
 * loader, found by {@link io.labhub.transport.shm.internal.platform.ShmPlatforms}. Private to the host
 * and its fragments: never exported.
 */
package io.labhub.transport.shm.internal.platform;
