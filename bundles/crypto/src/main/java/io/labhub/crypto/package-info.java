/**
 * LabHub's view of the NaCl primitives behind CURVE: which backend is in use, and the one primitive
 * LabHub itself needs (a public key from a secret key). JeroMQ reaches the same backend through
 * package {@code com.neilalexander.jnacl.crypto}, which this bundle also exports.
 */
@Export
@Version("1.0.0")
package io.labhub.crypto;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
