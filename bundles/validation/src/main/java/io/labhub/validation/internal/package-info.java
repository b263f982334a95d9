/**
 * Implementation of the validation bundle: the rules ({@link io.labhub.validation.internal.StandardValidator}),
 * the safe display of refused values ({@link io.labhub.validation.internal.Refusals}), the Z85 codec
 * ({@link io.labhub.validation.internal.Z85Codec}) and the DS component that publishes the
 * {@link io.labhub.validation.Validator} service. Not exported.
 */
package io.labhub.validation.internal;
