"""Relatedness and economic complexity (numpy / Polars, no Django).

Standard definitions (Balassa 1965; Hidalgo et al. 2007; Hidalgo & Hausmann 2009), as
computed by the Growth Lab's ``ecomplexity`` package, whose numbers the tests match:

* location quotient / RCA: ``(x_cp / x_c) / (x_p / x)``; ``M_cp = RCA_cp ≥ 1``
* diversity ``k_c = Σ_p M_cp``; ubiquity ``k_p = Σ_c M_cp``
* ECI / PCI: the eigenvector of the second-largest eigenvalue of
  ``M̃_pp = Σ_c M_cp M_cp' / (k_c k_p)``, signed so that ECI correlates positively with
  diversity, standardised by the mean and (population) standard deviation of ECI
* proximity ``φ_pp' = Σ_c M_cp M_cp' / max(k_p, k_p')``
* density ``ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp'``
* complexity outlook index and gain (COI, COG)

Regions or industries with a zero total are dropped, as in ``ecomplexity``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

Array = npt.NDArray[np.float64]


@dataclass
class Complexity:
    regions: list[str]
    industries: list[str]
    values: Array
    rca: Array
    mcp: Array
    diversity: Array
    ubiquity: Array
    eci: Array
    pci: Array
    proximity: Array
    density: Array
    coi: Array
    cog: Array

    def long(self) -> pl.DataFrame:
        """One row per (region, industry), the shape ``ecomplexity`` returns."""
        n_r, n_i = self.mcp.shape
        return pl.DataFrame(
            {
                "region": np.repeat(self.regions, n_i),
                "industry": np.tile(self.industries, n_r),
                "value": self.values.ravel(),
                "rca": self.rca.ravel(),
                "mcp": self.mcp.ravel().astype(np.int64),
                "diversity": np.repeat(self.diversity, n_i),
                "ubiquity": np.tile(self.ubiquity, n_r),
                "eci": np.repeat(self.eci, n_i),
                "pci": np.tile(self.pci, n_r),
                "density": self.density.ravel(),
                "coi": np.repeat(self.coi, n_i),
                "cog": self.cog.ravel(),
            }
        )


def matrix(
    frame: pl.DataFrame, region: str = "region", industry: str = "industry", value: str = "value"
) -> tuple[list[str], list[str], Array]:
    """A long table to a dense region × industry matrix (missing cells are 0)."""
    wide = (
        frame.group_by(region, industry)
        .agg(pl.col(value).cast(pl.Float64).sum())
        .pivot(on=industry, index=region, values=value)
        .sort(region)
        .fill_null(0.0)
    )
    industries = sorted(c for c in wide.columns if c != region)
    regions = [str(r) for r in wide[region].to_list()]
    return regions, industries, wide.select(industries).to_numpy().astype(np.float64)


def rca(values: Array) -> Array:
    """Balassa's revealed comparative advantage (= the location quotient)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = values / values.sum(axis=1, keepdims=True)
        world = values.sum(axis=0, keepdims=True) / values.sum()
        out: Array = np.nan_to_num(share / world)
    return out


def eci_pci(mcp: Array) -> tuple[Array, Array]:
    """ECI and PCI, standardised by ECI's mean and standard deviation."""
    kc, kp = _eigen(mcp)
    mean, std = kc.mean(), kc.std()
    return (kc - mean) / std, (kp - mean) / std


def _eigen(mcp: Array) -> tuple[Array, Array]:
    """Method of reflections at its limit: the second eigenvector of M̃_pp (signed)."""
    diversity = mcp.sum(axis=1)
    ubiquity = mcp.sum(axis=0)
    m1 = mcp / diversity[:, None]
    m2 = mcp / ubiquity[None, :]
    mpp = m2.T @ m1
    eigvals, eigvecs = np.linalg.eig(mpp)
    kp = np.real(eigvecs[:, np.argsort(np.real(eigvals))[-2]])
    kc = m1 @ kp
    sign = 1.0
    if diversity.std() > 0 and kc.std() > 0:
        sign = float(np.sign(np.corrcoef(diversity, kc)[0, 1])) or 1.0
    return sign * kc, sign * kp


def proximity(mcp: Array) -> Array:
    ubiquity = mcp.sum(axis=0)
    co = mcp.T @ mcp
    phi = co / ubiquity[None, :]
    out: Array = np.minimum(phi, phi.T)
    return out


def density(mcp: Array, phi: Array) -> Array:
    out: Array = mcp @ (phi.T / phi.sum(axis=1)[None, :])
    return out


def compute(
    frame: pl.DataFrame,
    region: str = "region",
    industry: str = "industry",
    value: str = "value",
    threshold: float = 1.0,
) -> Complexity:
    regions, industries, values = matrix(frame, region, industry, value)
    keep_r = values.sum(axis=1) != 0
    keep_i = values.sum(axis=0) != 0
    values = values[keep_r][:, keep_i]
    regions = [r for r, k in zip(regions, keep_r, strict=True) if k]
    industries = [i for i, k in zip(industries, keep_i, strict=True) if k]
    r = rca(values)
    mcp = (r >= threshold).astype(np.float64)
    diversity, ubiquity = mcp.sum(axis=1), mcp.sum(axis=0)
    if (diversity == 0).any() or (ubiquity == 0).any() or min(mcp.shape) < 2:
        raise ValueError("every region and industry needs at least one RCA ≥ 1 cell")
    kc, kp = _eigen(mcp)
    mean, std = kc.mean(), kc.std()
    eci, pci = (kc - mean) / std, (kp - mean) / std
    phi = proximity(mcp)
    dens = density(mcp, phi)
    # as ecomplexity: outlook from the unstandardised PCI, then COI standardised and COG
    # divided by ECI's standard deviation
    coi = ((dens * (1 - mcp)) * kp).sum(axis=1)
    cog = (1 - mcp) * ((1 - mcp) @ (phi * (kp / phi.sum(axis=1))[:, None])) / std
    coi = (coi - coi.mean()) / coi.std() if coi.std() > 0 else np.zeros_like(coi)
    return Complexity(
        regions, industries, values, r, mcp, diversity, ubiquity, eci, pci, phi, dens, coi, cog
    )


def grow_next(result: Complexity, region: str, top: int = 20) -> pl.DataFrame:
    """Industries ``region`` is close to (high density) but not yet specialised in
    (RCA < 1), ranked by density, then by complexity gain (COG) and PCI."""
    i = result.regions.index(region)
    frame = pl.DataFrame(
        {
            "industry": result.industries,
            "rca": result.rca[i],
            "density": result.density[i],
            "pci": result.pci,
            "cog": result.cog[i],
            "value": result.values[i],
        }
    )
    return (
        frame.filter(pl.col("rca") < 1)
        .with_columns(
            (pl.col("density").rank(descending=True)).alias("density_rank"),
        )
        .sort(["density", "cog", "pci"], descending=True)
        .head(top)
    )
