/** The recorder's implementation: spools, the HDF5 export and its reading back for replay, the services and commands. */
package io.labhub.recorder.internal;
