/** The recorder's service API: {@link io.labhub.recorder.Recorder} and {@link io.labhub.recorder.Replayer}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package io.labhub.recorder;
