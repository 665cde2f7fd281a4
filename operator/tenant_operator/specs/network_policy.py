"""The NetworkPolicies: deny by default, then web from the ingress controller, DNS, the database and the broker."""

from __future__ import annotations

from typing import Any

from tenant_operator.specs.common import WEB_PORT, RenderContext

NETWORK_POLICY = ("networking.k8s.io/v1", "NetworkPolicy")


def render_network_policies(ctx: RenderContext) -> list[dict[str, Any]]:
    def policy(name: str, component: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": NETWORK_POLICY[0],
            "kind": NETWORK_POLICY[1],
            "metadata": ctx.metadata(name, component),
            "spec": spec,
        }

    def egress_to(cidrs: tuple[str, ...], port: int) -> dict[str, Any]:
        rule: dict[str, Any] = {}
        if cidrs:
            rule["to"] = [{"ipBlock": {"cidr": cidr}} for cidr in cidrs]
        rule["ports"] = [{"protocol": "TCP", "port": port}]
        return {"podSelector": {}, "policyTypes": ["Egress"], "egress": [rule]}

    return [
        policy("default-deny", "network", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
        policy(
            "allow-web-from-ingress",
            "web",
            {
                "podSelector": {"matchLabels": ctx.selector("web")},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"kubernetes.io/metadata.name": ctx.config.ingress_namespace}
                                }
                            }
                        ],
                        "ports": [{"protocol": "TCP", "port": WEB_PORT}],
                    }
                ],
            },
        ),
        policy(
            "allow-dns",
            "network",
            {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    }
                ],
            },
        ),
        policy("allow-database", "network", egress_to(ctx.config.database_cidrs, ctx.config.database_port)),
        policy("allow-broker", "network", egress_to(ctx.config.broker_cidrs, ctx.config.broker_port)),
    ]
