/** Backends of the crypto bundle (libsodium through FFM, Bouncy Castle) and their selection. Not exported. */
package io.labhub.crypto.internal;
