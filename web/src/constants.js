export const ORG_KINDS = ['enterprise', 'university', 'research_institute', 'platform_operator', 'service_institution']
export const SIZE_CLASSES = ['large', 'medium', 'small', 'micro']
