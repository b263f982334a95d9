/**
 * Windows platform of the shared-memory ring: pagefile-backed named file mappings
 * (CreateFileMappingW / OpenFileMappingW / MapViewOfFile) and a named auto-reset event per consumer-table
 * entry (CreateEventW / SetEvent / WaitForSingleObject), with an explicit security descriptor
 * (ConvertStringSecurityDescriptorToSecurityDescriptorW, advapi32), all through FFM downcalls.
 * A fragment of transport-shm, found by name by {@code ShmPlatforms}. See docs/shm-layout.md for what
 * could not be exercised on Linux.
 */
package io.labhub.transport.shm.internal.platform.windows;
