/**
 * Implementation of LabHub's CurveZMQ security, not exported: the ZAP handler thread, Z85 key checks,
 * owner-only file writes, the handle behind {@code CurveSecurityFactory}, and the DS component that
 * registers the {@code CurveSecurity} service.
 */
package io.labhub.security.internal;
