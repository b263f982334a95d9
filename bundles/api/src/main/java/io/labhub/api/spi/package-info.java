/**
 * What a transport provides to the Hub: one service per channel kind ({@link io.labhub.api.spi.ShmTransport},
 * {@link io.labhub.api.spi.PubSubTransport}, {@link io.labhub.api.spi.ReqRepTransport}). The Hub picks
 * transports from the service registry by kind (whiteboard) and hands each channel a
 * {@link io.labhub.api.spi.ChannelContext} through which it talks to the broker. Drivers never use
 * this package.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.labhub.api.spi;
