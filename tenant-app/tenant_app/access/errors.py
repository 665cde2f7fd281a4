"""Error codes of access control: the policy engine and roles (tenantry_kernel.web.problems)."""

from tenantry_kernel.web.problems import Problem

PROBLEMS = (
    Problem(
        "forbidden",
        403,
        "Forbidden",
        "The signed-in user may not do this: `detail` names the permission and the rule that decided.",
    ),
    Problem("builtin_role", 409, "Built-in role", "Built-in roles cannot be deleted."),
    Problem(
        "role_in_use",
        409,
        "Role in use",
        "Members or policies still use the role; move them to another role first.",
    ),
)
