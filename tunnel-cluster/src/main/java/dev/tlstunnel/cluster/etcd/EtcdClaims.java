package dev.tlstunnel.cluster.etcd;

import dev.tlstunnel.cluster.Claim;
import dev.tlstunnel.config.Addresses;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Claims and releases in etcd, each one conditional write: the name key and the port key are
 * written together, on this server's lease, only if neither changed since they were read. A key
 * held by the same client id (its session on another server, or an earlier one here) is taken over
 * in that write; one held by anybody else refuses the claim, naming the holder.
 */
final class EtcdClaims {
  private static final int ATTEMPTS = 3;

  private final Client client;
  private final EtcdKeys keys;
  private final LongSupplier lease;

  EtcdClaims(Client client, EtcdKeys keys, LongSupplier lease) {
    this.client = client;
    this.keys = keys;
    this.lease = lease;
  }

  /** Null when granted, else why not. */
  String claim(Claim c) throws IOException {
    return claim(c, true);
  }

  /**
   * Like {@link #claim(Claim)}; without {@code takeOver} only a key that is absent or held by the
   * very same session is written (a server writing its claims again after its lease expired must
   * not take back what its client moved elsewhere meanwhile).
   */
  String claim(Claim c, boolean takeOver) throws IOException {
    for (int i = 0; i < ATTEMPTS; i++) {
      KeyValue name = get(keys.name(c.proxyName()));
      KeyValue port = c.published() ? get(keys.port(c.publishPort())) : null;
      Claim heldName = name == null ? null : keys.claim(name.getValue());
      Claim heldPort = port == null ? null : keys.claim(port.getValue());
      if (heldName != null && !(takeOver ? sameClient(heldName, c) : sameSession(heldName, c))) {
        return "proxy name '"
            + c.proxyName()
            + "' is already registered by client '"
            + who(heldName)
            + "' on server '"
            + heldName.node()
            + "'";
      }
      if (heldPort != null
          && !((takeOver ? sameClient(heldPort, c) : sameSession(heldPort, c))
              && heldPort.proxyName().equals(c.proxyName()))) {
        return "publish address "
            + Addresses.hostPort(c.publishAddr(), c.publishPort())
            + " conflicts with proxy '"
            + heldPort.proxyName()
            + "' of client '"
            + who(heldPort)
            + "' on "
            + Addresses.hostPort(heldPort.publishAddr(), heldPort.publishPort())
            + ", held by server '"
            + heldPort.node()
            + "'";
      }
      List<Cmp> ifs = new ArrayList<>();
      List<Op> then = new ArrayList<>();
      ByteSequence value = keys.encode(c);
      ifs.add(unchanged(keys.name(c.proxyName()), name));
      then.add(Op.put(keys.name(c.proxyName()), value, EtcdKeys.onLease(lease.getAsLong())));
      if (c.published()) {
        ifs.add(unchanged(keys.port(c.publishPort()), port));
        then.add(Op.put(keys.port(c.publishPort()), value, EtcdKeys.onLease(lease.getAsLong())));
      }
      if (heldName != null && heldName.published() && heldName.publishPort() != c.publishPort()) {
        // the client moved its proxy to another port: its old port goes in the same write
        KeyValue old = get(keys.port(heldName.publishPort()));
        if (old != null && heldName.equals(keys.claim(old.getValue()))) {
          ifs.add(unchanged(keys.port(heldName.publishPort()), old));
          then.add(Op.delete(keys.port(heldName.publishPort()), DeleteOption.DEFAULT));
        }
      }
      Txn txn = client.getKVClient().txn();
      if (EtcdClaimStore.call(
              txn.If(ifs.toArray(Cmp[]::new)).Then(then.toArray(Op[]::new)).commit())
          .isSucceeded()) {
        return null;
      }
    }
    return "proxy '" + c.proxyName() + "' is being claimed by another server at the same time";
  }

  /** Deletes {@code c}'s keys if they still hold {@code c}. */
  void release(Claim c) throws IOException {
    KeyValue name = get(keys.name(c.proxyName()));
    if (name == null || !c.equals(keys.claim(name.getValue()))) {
      return;
    }
    List<Cmp> ifs = new ArrayList<>();
    List<Op> then = new ArrayList<>();
    ifs.add(unchanged(keys.name(c.proxyName()), name));
    then.add(Op.delete(keys.name(c.proxyName()), DeleteOption.DEFAULT));
    if (c.published()) {
      KeyValue port = get(keys.port(c.publishPort()));
      if (port != null && c.equals(keys.claim(port.getValue()))) {
        ifs.add(unchanged(keys.port(c.publishPort()), port));
        then.add(Op.delete(keys.port(c.publishPort()), DeleteOption.DEFAULT));
      }
    }
    EtcdClaimStore.call(
        client
            .getKVClient()
            .txn()
            .If(ifs.toArray(Cmp[]::new))
            .Then(then.toArray(Op[]::new))
            .commit());
  }

  private KeyValue get(ByteSequence key) throws IOException {
    List<KeyValue> kvs = EtcdClaimStore.call(client.getKVClient().get(key)).getKvs();
    return kvs.isEmpty() ? null : kvs.get(0);
  }

  /** The key is as it was read: absent still, or not written since. */
  private static Cmp unchanged(ByteSequence key, KeyValue read) {
    return new Cmp(
        key, Cmp.Op.EQUAL, CmpTarget.modRevision(read == null ? 0 : read.getModRevision()));
  }

  private static boolean sameSession(Claim held, Claim c) {
    return held.session().equals(c.session()) && held.node().equals(c.node());
  }

  /** Whether {@code held} belongs to {@code c}'s client (a known id) or to its very session. */
  private static boolean sameClient(Claim held, Claim c) {
    return held.session().equals(c.session())
        || (held.client() != null && held.client().equals(c.client()));
  }

  private static String who(Claim c) {
    return c.client() == null ? "(anonymous)" : c.client();
  }
}
