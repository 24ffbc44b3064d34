/**
 * How the corpus test compiles files that do not stand alone. rpcgen never resolves names: a
 * type or constant it does not know becomes a call to `xdr_<name>` or a C identifier that the C
 * compiler later finds in a header. Lupine must know every type to write its codec, so these
 * files get what their C build gets from elsewhere:
 *
 * - `with`: other corpus files compiled together (Lupine imports the types from their modules);
 * - `defines`: `-D` values of constants that C headers define (values from those headers);
 * - `externs`: `.x` declarations of types that exist only as C code with hand-written XDR
 *   routines. These are stand-ins with the same wire format where it is known, and the test only
 *   claims that the file compiles given them.
 *
 * `expect` marks files Lupine rejects on purpose, with the diagnostic code it must report.
 */

/** A corpus file: `owner__repo/flattened__path.x`, or `rpcsvc/name.x` for /usr/include/rpcsvc. */
export type CorpusFile = string;

export interface Job {
  readonly file: CorpusFile;
  readonly with?: readonly CorpusFile[];
  readonly defines?: Readonly<Record<string, string>>;
  readonly externs?: string;
  readonly expect?: { readonly code: string; readonly why: string };
}

const STELLAR = [
  "Stellar-types.x",
  "Stellar-SCP.x",
  "Stellar-contract.x",
  "Stellar-contract-config-setting.x",
  "Stellar-contract-env-meta.x",
  "Stellar-contract-meta.x",
  "Stellar-contract-spec.x",
  "Stellar-ledger-entries.x",
  "Stellar-ledger.x",
  "Stellar-overlay.x",
  "Stellar-transaction.x",
  "Stellar-internal.x",
].map((f) => `stellar__stellar-xdr/${f}`);

const NETBUF = "struct netbuf { unsigned int maxlen; opaque buf<>; };";
const AUTHSYS =
  "struct authsys_parms { unsigned int stamp; string machinename<255>; unsigned int uid; unsigned int gid; unsigned int gids<16>; };";
const VMWARE = "typedef bool Bool; typedef unsigned int uint32; typedef unsigned hyper uint64;";
const LIBVIRT = {
  VIR_UUID_BUFLEN: "16",
  VIR_SECURITY_MODEL_BUFLEN: "257",
  VIR_SECURITY_LABEL_BUFLEN: "4097",
  VIR_SECURITY_DOI_BUFLEN: "257",
  VIR_TYPED_PARAM_INT: "1",
  VIR_TYPED_PARAM_UINT: "2",
  VIR_TYPED_PARAM_LLONG: "3",
  VIR_TYPED_PARAM_ULLONG: "4",
  VIR_TYPED_PARAM_DOUBLE: "5",
  VIR_TYPED_PARAM_BOOLEAN: "6",
  VIR_TYPED_PARAM_STRING: "7",
};

/** The special cases; every other file is compiled alone and must succeed. */
export const JOBS: readonly Job[] = [
  { file: STELLAR[0]!, with: STELLAR.slice(1) },
  { file: "OpenOrbis__OpenOrbis-PS4-Toolchain/include__rpc__rpcb_prot.x", externs: NETBUF },
  { file: "andreiw__polaris/usr__src__uts__common__rpc__rpcb_prot.x", externs: NETBUF },
  { file: "nfs-ganesha__ntirpc/ntirpc__rpc__rpcb_prot.x", externs: NETBUF },
  ...[
    "usr__src__uts__common__rpcsvc__autofs_prot.x",
    "usr__src__head__metamhd.x",
    "usr__src__head__rpcsvc__nfs_acl.x",
    "usr__src__head__rpcsvc__ufs_prot.x",
    "usr__src__uts__common__sys__lvm__meta_arr.x",
    "usr__src__uts__common__sys__lvm__metamed.x",
    "usr__src__uts__common__sys__lvm__mdiox.x",
    "usr__src__uts__common__sys__lvm__mdmn_commd.x",
    "usr__src__head__metad.x",
  ].map((f) => ({
    file: `andreiw__polaris/${f}`,
    expect: {
      code: "undefined-name",
      why: "uses types and constants of Solaris kernel C headers (md_error_t, dev_t, MD_MAX_SETNAME_PLUS_1, ...)",
    },
  })),
  {
    file: "OpenOrbis__OpenOrbis-PS4-Toolchain/include__rpcsvc__nis_cache.x",
    with: ["rpcsvc/nis.x"],
  },
  { file: "andreiw__polaris/usr__src__head__rpcsvc__nis_cache.x", with: ["rpcsvc/nis.x"] },
  {
    file: "andreiw__polaris/usr__src__cmd__fm__fmd__common__fmd_rpc_adm.x",
    externs:
      "struct fmd_stat { opaque fmds_name[32]; unsigned int fmds_type; opaque fmds_desc[64]; unsigned hyper fmds_value; };",
  },
  {
    file: "andreiw__polaris/usr__src__lib__gss_mechs__mech_dh__backend__mech__dhmech_prot.x",
    externs: "typedef string netnamestr<MAXNETNAMELEN>;",
  },
  {
    file: "andreiw__polaris/usr__src__lib__libnisdb__db_query_c.x",
    externs: "typedef opaque item<>;",
  },
  {
    file: "dCache__nfs4j/docs__nfs42_prot.x",
    with: ["dCache__nfs4j/docs__nfs_xattr.x"],
    externs: AUTHSYS,
  },
  { file: "nfs-ganesha__nfs-ganesha/src__Protocols__XDR__nfsv41.x", externs: AUTHSYS },
  {
    file: "nfs-ganesha__nfs-ganesha/src__Protocols__XDR__flex_files_prot.x",
    with: ["dCache__nfs4j/docs__nfs42_prot.x"],
    externs: AUTHSYS,
  },
  {
    file: "nfs-ganesha__nfs-ganesha/src__Protocols__XDR__nfs23.x",
    with: ["nfs-ganesha__nfs-ganesha/src__Protocols__XDR__nfsacl.x"],
  },
  {
    file: "nfs-ganesha__nfs-ganesha/src__Protocols__XDR__mount.x",
    expect: {
      code: "undefined-name",
      why: "FHSIZE3 and fhstatus2 are commented out of the file (its C build has them elsewhere)",
    },
  },
  { file: "sahlberg__libnfs/nfs__nfs.x", with: ["gluster__glusterfs/rpc__xdr__src__acl3-xdr.x"] },
  { file: "gluster__glusterfs/rpc__xdr__src__changelog-xdr.x", defines: { UNIX_PATH_MAX: "108" } },
  {
    file: "gluster__glusterfs/rpc__xdr__src__glusterfs4-xdr.x",
    defines: {
      GF_DATA_TYPE_INT: "1",
      GF_DATA_TYPE_UINT: "2",
      GF_DATA_TYPE_DOUBLE: "3",
      GF_DATA_TYPE_STR: "4",
      GF_DATA_TYPE_PTR: "5",
      GF_DATA_TYPE_STR_OLD: "6",
      GF_DATA_TYPE_IATT: "7",
      GF_DATA_TYPE_GFUUID: "8",
      GF_DATA_TYPE_MDATA: "9",
    },
  },
  {
    file: "gluster__glusterfs/rpc__xdr__src__mount3udp.x",
    with: ["sahlberg__libnfs/mount__mount.x"],
  },
  { file: "rpcsvc/nis.x", with: ["rpcsvc/nis_callback.x"] },
  {
    file: "kofemann__pynfs/rpc__gss.x",
    externs: "typedef opaque proc_req_arg_t<>;",
  },
  {
    file: "kofemann__pynfs/nfs4.1__xdrdef__nfs3.x",
    expect: {
      code: "undefined-name",
      why: "uses FSINFO3args, which no file defines (C would not compile either)",
    },
  },
  {
    file: "kofemann__pynfs/nfs4.1__xdrdef__portmap.x",
    expect: {
      code: "infinite-type",
      why: "struct pmaplist contains a pmaplist, not a pmaplist * (C would not compile)",
    },
  },
  {
    file: "mithleshvrts__libvirt-0.10.2/src__remote__remote_protocol.x",
    with: ["mithleshvrts__libvirt-0.10.2/src__remote__qemu_protocol.x"],
    defines: LIBVIRT,
  },
  {
    file: "zwbclearlove__libvirt-colo-extension/src__remote__remote_protocol.x",
    with: [
      "zwbclearlove__libvirt-colo-extension/src__remote__qemu_protocol.x",
      "zwbclearlove__libvirt-colo-extension/src__remote__lxc_protocol.x",
    ],
    defines: LIBVIRT,
  },
  { file: "zwbclearlove__libvirt-colo-extension/src__admin__admin_protocol.x", defines: LIBVIRT },
  { file: "zwbclearlove__libvirt-colo-extension/src__locking__lock_protocol.x", defines: LIBVIRT },
  { file: "zwbclearlove__libvirt-colo-extension/src__logging__log_protocol.x", defines: LIBVIRT },
  { file: "zwbclearlove__libvirt-colo-extension/src__rpc__virnetprotocol.x", defines: LIBVIRT },
  ...[
    "open-vm-tools__lib__guestRpc__nicinfo.x",
    "open-vm-tools__libguestlib__guestlibV3.x",
    "open-vm-tools__services__plugins__dndcp__cpFileContents.x",
    "open-vm-tools__services__plugins__vmbackup__guestQuiesce.x",
    "open-vm-tools__tests__testPlugin__testData.x",
  ].map((f) => ({ file: `vmware__open-vm-tools/${f}`, externs: VMWARE })),
];
