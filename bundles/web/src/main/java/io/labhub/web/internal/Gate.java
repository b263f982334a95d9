package io.labhub.web.internal;

import io.prometheus.metrics.core.metrics.Counter;

/** The access rule as every endpoint applies it, with the count of refusals by code that /metrics shows. */
final class Gate {

    final AccessPolicy policy;
    private final Counter refusals;

    Gate(AccessPolicy policy, Counter refusals) {
        this.policy = policy;
        this.refusals = refusals;
    }

    AccessPolicy.Refusal check(AccessPolicy.Request r) {
        AccessPolicy.Refusal refusal = policy.check(r);
        if (refusal != null) {
            refusals.labelValues(refusal.code()).inc();
        }
        return refusal;
    }
}
