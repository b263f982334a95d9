/**
 * jnacl's package, provided again at a higher version: JeroMQ 0.6.0 imports
 * {@code com.neilalexander.jnacl.crypto;version="[1.0,2)";resolution:=optional} and calls exactly eight
 * static methods of {@link com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305} and
 * {@link com.neilalexander.jnacl.crypto.xsalsa20poly1305}. This bundle exports the package at 1.1.0
 * with the same classes, signatures, constants and NaCl semantics, backed by libsodium (FFM) or Bouncy
 * Castle, so JeroMQ's CURVE runs on it without knowing. Only what JeroMQ and NaCl callers use is here;
 * jnacl's internal classes (salsa20, poly1305, ...) are not.
 */
@Export
@Version("1.1.0")
package com.neilalexander.jnacl.crypto;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
