/**
 * What the corpus test expects. rpcgen never resolves names: a type or constant a file uses but
 * does not define becomes a call to `xdr_<name>` or a C identifier that the C compiler later
 * finds in a header. Lupine follows that model, so every file compiles ALONE; what it leaves
 * to the outside is a warning, and {@link ALONE_WARNINGS} pins how many of each kind each file
 * gives, so that they cannot silently grow.
 *
 * {@link TOGETHER} are second, fuller checks: files given what their C build gets from
 * elsewhere, and then expected to compile without those warnings —
 *
 * - `with`: other corpus files compiled together (Lupine imports the types from their modules);
 * - `defines`: `-D` values of constants that C headers define (values from those headers);
 * - `externs`: an `--extern` file of `.x` declarations of types that exist only as C code with
 *   hand-written XDR routines. These are stand-ins with the same wire format where it is known,
 *   and the test only claims that the file compiles given them.
 */

/** A corpus file: `owner__repo/flattened__path.x`, or `rpcsvc/name.x` for /usr/include/rpcsvc. */
export type CorpusFile = string;

/** Diagnostic counts by code (`{ "undefined-type": 2 }`). */
export type Counts = Readonly<Record<string, number>>;

/** A fuller compilation of one corpus file. */
export interface Job {
  readonly file: CorpusFile;
  readonly with?: readonly CorpusFile[];
  readonly defines?: Readonly<Record<string, string>>;
  /** The text of an `--extern` file. */
  readonly externs?: string;
  /** Warnings expected over all files of the job (none when absent). */
  readonly warnings?: Counts;
}

/**
 * Warnings by code of each file compiled alone; a file not listed gives none. See the table in
 * docs/compiler.md for what each leaves to the outside.
 */
export const ALONE_WARNINGS: Readonly<Record<CorpusFile, Counts>> = {
  "OpenOrbis__OpenOrbis-PS4-Toolchain/include__rpc__rpcb_prot.x": { "undefined-type": 1 },
  "OpenOrbis__OpenOrbis-PS4-Toolchain/include__rpcsvc__nis_cache.x": { "undefined-type": 2 },
  "andreiw__polaris/usr__src__cmd__fm__fmd__common__fmd_rpc_adm.x": { "undefined-type": 1 },
  "andreiw__polaris/usr__src__head__metad.x": { "undefined-constant": 8, "undefined-type": 18 },
  "andreiw__polaris/usr__src__head__metamhd.x": { "undefined-type": 3 },
  "andreiw__polaris/usr__src__head__rpcsvc__nfs_acl.x": {
    "undefined-constant": 10,
    "undefined-type": 8,
  },
  "andreiw__polaris/usr__src__head__rpcsvc__nis_cache.x": { "undefined-type": 7 },
  "andreiw__polaris/usr__src__head__rpcsvc__ufs_prot.x": { "undefined-constant": 2 },
  "andreiw__polaris/usr__src__lib__gss_mechs__mech_dh__backend__mech__dhmech_prot.x": {
    "undefined-type": 1,
  },
  "andreiw__polaris/usr__src__lib__libnisdb__db_query_c.x": { "undefined-type": 1 },
  "andreiw__polaris/usr__src__uts__common__rpc__rpcb_prot.x": { "undefined-type": 1 },
  "andreiw__polaris/usr__src__uts__common__rpcsvc__autofs_prot.x": { "undefined-type": 3 },
  "andreiw__polaris/usr__src__uts__common__sys__lvm__mdiox.x": {
    "undefined-constant": 14,
    "undefined-type": 19,
  },
  "andreiw__polaris/usr__src__uts__common__sys__lvm__mdmn_commd.x": {
    "undefined-constant": 5,
    "undefined-type": 17,
  },
  "andreiw__polaris/usr__src__uts__common__sys__lvm__meta_arr.x": { "undefined-constant": 8 },
  "andreiw__polaris/usr__src__uts__common__sys__lvm__metamed.x": {
    "undefined-constant": 8,
    "undefined-type": 3,
  },
  "dCache__nfs4j/docs__nfs42_prot.x": { "undefined-type": 1 },
  "dCache__nfs4j/docs__nfs_xattr.x": { "undefined-constant": 4, "undefined-type": 5 },
  "gluster__glusterfs/rpc__xdr__src__acl3-xdr.x": { "undefined-type": 1 },
  "gluster__glusterfs/rpc__xdr__src__changelog-xdr.x": { "undefined-constant": 1 },
  "gluster__glusterfs/rpc__xdr__src__glusterfs4-xdr.x": { "undefined-constant": 1 },
  "gluster__glusterfs/rpc__xdr__src__mount3udp.x": { "undefined-constant": 1, "undefined-type": 2 },
  "gssapi__gssproxy/x-files__gp_rpc.x": { "renamed-arm": 1 },
  "kofemann__pynfs/nfs4.1__xdrdef__nfs3.x": { "undefined-type": 1 },
  "kofemann__pynfs/nfs4.1__xdrdef__portmap.x": { "infinite-type": 1 },
  "kofemann__pynfs/rpc__gss.x": { "undefined-type": 1 },
  "mithleshvrts__libvirt-0.10.2/src__remote__qemu_protocol.x": { "undefined-type": 3 },
  "mithleshvrts__libvirt-0.10.2/src__remote__remote_protocol.x": { "undefined-constant": 8 },
  "nfs-ganesha__nfs-ganesha/src__Protocols__XDR__flex_files_prot.x": { "undefined-type": 11 },
  "nfs-ganesha__nfs-ganesha/src__Protocols__XDR__mount.x": {
    "undefined-constant": 1,
    "undefined-type": 1,
  },
  "nfs-ganesha__nfs-ganesha/src__Protocols__XDR__nfs4.x": { redefinition: 1 },
  "nfs-ganesha__nfs-ganesha/src__Protocols__XDR__nfsacl.x": {
    "undefined-constant": 2,
    "undefined-type": 5,
  },
  "nfs-ganesha__nfs-ganesha/src__Protocols__XDR__nfsv41.x": { "undefined-type": 1 },
  "nfs-ganesha__ntirpc/ntirpc__rpc__rpcb_prot.x": { "undefined-type": 1 },
  "rpcsvc/nis_callback.x": { "undefined-type": 2 },
  "stellar__stellar-xdr/Stellar-SCP.x": { "undefined-type": 5 },
  "stellar__stellar-xdr/Stellar-contract-config-setting.x": { "undefined-type": 4 },
  "stellar__stellar-xdr/Stellar-contract-env-meta.x": { "undefined-type": 1 },
  "stellar__stellar-xdr/Stellar-contract-spec.x": { "undefined-type": 2 },
  "stellar__stellar-xdr/Stellar-contract.x": { "undefined-type": 8 },
  "stellar__stellar-xdr/Stellar-internal.x": { "undefined-type": 6 },
  "stellar__stellar-xdr/Stellar-ledger-entries.x": { "undefined-type": 12 },
  "stellar__stellar-xdr/Stellar-ledger.x": { "undefined-type": 16 },
  "stellar__stellar-xdr/Stellar-overlay.x": { "undefined-type": 13 },
  "stellar__stellar-xdr/Stellar-transaction.x": { "undefined-constant": 7, "undefined-type": 36 },
  "vmware__open-vm-tools/open-vm-tools__lib__guestRpc__nicinfo.x": { "undefined-type": 2 },
  "vmware__open-vm-tools/open-vm-tools__libguestlib__guestlibV3.x": { "undefined-type": 3 },
  "vmware__open-vm-tools/open-vm-tools__services__plugins__dndcp__cpFileContents.x": {
    "undefined-type": 2,
  },
  "vmware__open-vm-tools/open-vm-tools__services__plugins__vmbackup__guestQuiesce.x": {
    "undefined-type": 2,
  },
  "vmware__open-vm-tools/open-vm-tools__tests__testPlugin__testData.x": { "undefined-type": 2 },
  "zwbclearlove__libvirt-colo-extension/src__admin__admin_protocol.x": { "undefined-constant": 1 },
  "zwbclearlove__libvirt-colo-extension/src__locking__lock_protocol.x": { "undefined-constant": 1 },
  "zwbclearlove__libvirt-colo-extension/src__logging__log_protocol.x": { "undefined-constant": 1 },
  "zwbclearlove__libvirt-colo-extension/src__remote__lxc_protocol.x": { "undefined-type": 1 },
  "zwbclearlove__libvirt-colo-extension/src__remote__qemu_protocol.x": { "undefined-type": 4 },
  "zwbclearlove__libvirt-colo-extension/src__remote__remote_protocol.x": {
    "undefined-constant": 8,
  },
  "zwbclearlove__libvirt-colo-extension/src__rpc__virnetprotocol.x": { "undefined-constant": 1 },
};

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

/** The fuller checks. */
export const TOGETHER: readonly Job[] = [
  { file: STELLAR[0]!, with: STELLAR.slice(1) },
  { file: "OpenOrbis__OpenOrbis-PS4-Toolchain/include__rpc__rpcb_prot.x", externs: NETBUF },
  { file: "andreiw__polaris/usr__src__uts__common__rpc__rpcb_prot.x", externs: NETBUF },
  { file: "nfs-ganesha__ntirpc/ntirpc__rpc__rpcb_prot.x", externs: NETBUF },
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
    // FHSIZE3 and fhstatus2 are commented out of the file; the extern file is that text.
    file: "nfs-ganesha__nfs-ganesha/src__Protocols__XDR__mount.x",
    externs: [
      "const FHSIZE2 = 32;",
      "const FHSIZE3 = 64;",
      "typedef opaque fhandle2[FHSIZE2];",
      "union fhstatus2 switch (unsigned fhs_status) { case 0: fhandle2 directory; default: void; };",
    ].join("\n"),
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
