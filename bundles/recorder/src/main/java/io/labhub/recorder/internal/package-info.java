/** The recorder's implementation: spools, the HDF5 export, the service. */
package io.labhub.recorder.internal;
