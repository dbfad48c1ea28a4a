package dev.tlstunnel.egress;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Resolves a target once and checks every address it resolves to: a target that has one refused
 * address is refused as a whole (so a name cannot mix a public address with a private one). The
 * result is the list of checked socket addresses, to be dialed as they are, with no second look-up.
 * Names resolve with the system resolver on {@code executor} (it blocks); literals never leave the
 * calling thread.
 */
public final class TargetResolver {
  private final Executor executor;
  private final Function<String, InetAddress[]> lookup;

  /** A resolver that uses the system's name service on {@code executor}. */
  public TargetResolver(Executor executor) {
    this(executor, TargetResolver::system);
  }

  /** A resolver with its own look-up (tests). */
  public TargetResolver(Executor executor, Function<String, InetAddress[]> lookup) {
    this.executor = executor;
    this.lookup = lookup;
  }

  /** The addresses of {@code host}; an empty array when it does not resolve. */
  private static InetAddress[] system(String host) {
    try {
      return InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return new InetAddress[0];
    }
  }

  /** What resolving and checking gave. */
  public record Result(List<InetSocketAddress> addresses, EgressException failure) {
    public boolean ok() {
      return failure == null;
    }
  }

  /** Resolves and checks {@code host:port}; {@code done} runs once, on an unspecified thread. */
  public void resolve(
      String host, int port, EgressPolicy policy, java.util.function.Consumer<Result> done) {
    Optional<InetAddress> literal = Addresses.literal(host);
    if (literal.isPresent()) {
      done.accept(check(host, new InetAddress[] {literal.get()}, port, policy));
      return;
    }
    try {
      executor.execute(() -> done.accept(check(host, lookup.apply(host), port, policy)));
    } catch (RejectedExecutionException e) {
      done.accept(
          new Result(List.of(), new EgressException(EgressFailure.FAILED, "resolver stopped")));
    }
  }

  /** Checks already known addresses of {@code host}. */
  public static Result check(String host, InetAddress[] found, int port, EgressPolicy policy) {
    if (found.length == 0) {
      return new Result(
          List.of(),
          new EgressException(EgressFailure.DNS_FAILED, "cannot resolve host '" + host + "'"));
    }
    List<InetSocketAddress> checked = new ArrayList<>();
    for (InetAddress address : found) {
      EgressPolicy.Verdict verdict = policy.check(address, port);
      if (!verdict.allowed()) {
        String named =
            Addresses.literal(host).isPresent() ? "" : "'" + host + "' resolves to an address: ";
        return new Result(
            List.of(), new EgressException(EgressFailure.NOT_ALLOWED, named + verdict.reason()));
      }
      checked.add(new InetSocketAddress(Addresses.canonical(address), port));
    }
    return new Result(List.copyOf(checked), null);
  }
}
