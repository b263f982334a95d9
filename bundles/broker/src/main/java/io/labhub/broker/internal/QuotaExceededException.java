package io.labhub.broker.internal;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;

/**
 * A per-key quota was reached: the reply is {@code QUOTA_EXCEEDED} with the fields {@code quota} (the
 * configuration property's name) and {@code limit} (its value), docs/protocol.md section 4.
 */
public final class QuotaExceededException extends LabHubException {

    private static final long serialVersionUID = 1L;

    private final String quota;
    private final long limit;

    public QuotaExceededException(String quota, long limit, String message) {
        super(ErrorCode.QUOTA_EXCEEDED, "[" + quota + "=" + limit + "] " + message);
        this.quota = quota;
        this.limit = limit;
    }

    /** @return the quota's name, as its configuration property is spelled */
    public String quota() {
        return quota;
    }

    /** @return the quota's value */
    public long limit() {
        return limit;
    }
}
