/**
 * Windows platform of the shared-memory ring: pagefile-backed named file mappings
 * (CreateFileMappingW / OpenFileMappingW / MapViewOfFile) and a named manual-reset event per segment
 * (CreateEventW / SetEvent / ResetEvent / WaitForSingleObject), all through FFM downcalls to kernel32.
 * A fragment of transport-shm, found by name by {@code ShmPlatforms}. See docs/shm-layout.md for what
 * could not be exercised on Linux.
 */
package io.labhub.transport.shm.internal.platform.windows;
