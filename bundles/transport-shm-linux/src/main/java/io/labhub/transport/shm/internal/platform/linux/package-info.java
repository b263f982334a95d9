/**
 * Linux platform of the shared-memory ring: futex(2) wait/wake through an FFM downcall to
 * {@code syscall}, segment files in a tmpfs directory (/dev/shm). Lives in the transport-shm host's
 * class loader as a fragment; found by name by {@code ShmPlatforms}.
 */
package io.labhub.transport.shm.internal.platform.linux;
